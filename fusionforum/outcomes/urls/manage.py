"""The organisers' report editor, included at manage/<slug>/outcomes/."""

from django.urls import path

from ..views import manage as views

app_name = "outcomes_manage"

urlpatterns = [
    path("", views.editor, name="editor"),
    path("preview/", views.preview, name="preview"),
    path("build/", views.build, name="build"),
    path("themes/merge/", views.merge, name="merge"),
    path("themes/<int:pk>/rename/", views.rename, name="rename"),
    path("themes/<int:pk>/split/", views.split, name="split"),
    path("themes/<int:pk>/move/", views.move, name="move"),
    path("report/", views.save_report, name="save_report"),
    path("priorities/", views.priority, name="add_priority"),
    path("priorities/<int:pk>/", views.priority, name="edit_priority"),
    path("priorities/<int:pk>/delete/", views.delete_priority, name="delete_priority"),
    path("publish/", views.publish, name="publish"),
    path("versions/<int:number>/withdraw/", views.withdraw, name="withdraw"),
]
