"""The reviewers' pages, under /review/<event>/."""

from django.urls import path

from ..views import review as views

app_name = "review"

urlpatterns = [
    path("", views.home, name="home"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("conflicts/<int:pk>/withdraw/", views.conflict_withdraw, name="conflict_withdraw"),
    path("<str:code>/", views.review_submission, name="submission"),
    path("<str:code>/slides.pdf", views.slides, name="slides"),
]
