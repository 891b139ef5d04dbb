from django.urls import path

from ..views import manage as v

app_name = "visits_manage"

urlpatterns = [
    path("", v.overview, name="overview"),
    path("tours/new/", v.tour_edit, name="tour_new"),
    path("tours/<int:pk>/", v.tour_edit, name="tour_edit"),
    path("tours/<int:tour_pk>/runs/new/", v.run_edit, name="run_new"),
    path("runs/<int:pk>/", v.run_page, name="run"),
    path("runs/<int:pk>/edit/", v.run_edit, name="run_edit"),
    path("runs/<int:pk>/add/", v.run_add, name="run_add"),
    path("seats/<int:pk>/move/", v.seat_move, name="seat_move"),
    path("seats/<int:pk>/cancel/", v.seat_cancel, name="seat_cancel"),
    path("allocation/", v.allocation, name="allocation"),
]
