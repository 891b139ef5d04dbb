"""The organisers' review pages, under /manage/<event>/call/review/: ranking and decisions,
one submission's reviews, the reviewer team and assignment, score categories, e-mails."""

from django.urls import path

from ..views import review as views

app_name = "cfp_decide"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("assign/", views.auto_assign, name="auto_assign"),
    path("reminders/", views.reminders, name="reminders"),
    path("reviewers/", views.reviewers, name="reviewers"),
    path("reviewers/<int:pk>/", views.reviewer_detail, name="reviewer"),
    path("reviewers/<int:pk>/remove/", views.reviewer_remove, name="reviewer_remove"),
    path("scores/", views.score_categories, name="scores"),
    path("scores/<int:pk>/", views.score_category_edit, name="score_edit"),
    path("scores/<int:pk>/delete/", views.score_category_delete, name="score_delete"),
    path("emails/", views.email_list, name="emails"),
    path("emails/<slug:key>/", views.email_edit, name="email"),
    path("emails/<slug:key>/reset/", views.email_reset, name="email_reset"),
    path("s/<str:code>/", views.submission_detail, name="submission"),
    path("s/<str:code>/slides.pdf", views.submission_slides, name="slides"),
    path("s/<str:code>/decide/", views.decide, name="decide"),
    path("s/<str:code>/assign/", views.assign, name="assign"),
    path("s/<str:code>/unassign/<int:reviewer_id>/", views.unassign, name="unassign"),
]
