from django.urls import path

from ..views import editions as views

app_name = "editions"

urlpatterns = [
    path("", views.home, name="home"),
    path("clone/", views.clone, name="clone"),
    path("compare/", views.compare, name="compare"),
]
