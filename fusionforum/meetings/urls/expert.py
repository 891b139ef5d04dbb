from django.urls import path

from ..views import expert as views_expert

app_name = "meetings_expert"

urlpatterns = [
    path("<slug:slug>/expert/", views_expert.home, name="home"),
    path("<slug:slug>/expert/meetings/<int:request_pk>/check-in/", views_expert.checkin,
         name="checkin"),
    path("<slug:slug>/expert/meetings/<int:request_pk>/notes/", views_expert.notes,
         name="notes"),
    path("<slug:slug>/expert/conflicts/", views_expert.conflicts, name="conflicts"),
    path("<slug:slug>/expert/conflicts/<int:pk>/withdraw/", views_expert.conflict_withdraw,
         name="conflict_withdraw"),
]
