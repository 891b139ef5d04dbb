from django.urls import path

from ..views import public as views

app_name = "visits"

urlpatterns = [
    path("<slug:slug>/visits/", views.home, name="home"),
    path("<slug:slug>/visits/ranking/", views.ranking, name="ranking"),
    path("<slug:slug>/visits/runs/<int:pk>/take/", views.take, name="take"),
    path("<slug:slug>/visits/seats/<int:pk>/cancel/", views.cancel, name="cancel"),
]
