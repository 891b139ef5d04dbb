from django.urls import path, re_path

from ..views import public as views

app_name = "cfp"

CODE = r"(?P<code>[A-Z0-9]{4,12})"
PREFIX = r"^(?P<slug>[-a-zA-Z0-9_]+)/call/"

urlpatterns = [
    path("<slug:slug>/call/", views.call_page, name="call"),
    path("<slug:slug>/call/new/", views.new, name="new"),
    path("<slug:slug>/call/profile/", views.profile, name="profile"),
    path("<slug:slug>/call/profile/photo.jpg", views.own_photo, name="own_photo"),
    re_path(PREFIX + CODE + r"/edit/$", views.edit, name="edit"),
    re_path(PREFIX + CODE + r"/slides/$", views.slides, name="slides"),
    re_path(PREFIX + CODE + r"/slides\.pdf$", views.slides_download, name="slides_download"),
    re_path(PREFIX + CODE + r"/withdraw/$", views.withdraw, name="withdraw"),
    re_path(PREFIX + CODE + r"/confirm/$", views.confirm, name="confirm"),
]
