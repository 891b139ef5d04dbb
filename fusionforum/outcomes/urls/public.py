"""The public outcomes report, included at "" (addresses start with <slug>/outcomes/)."""

from django.urls import path

from ..views import public as views

app_name = "outcomes"

urlpatterns = [
    path("<slug:slug>/outcomes/", views.report, name="report"),
    path("<slug:slug>/outcomes/report.pdf", views.pdf, name="pdf"),
    path("<slug:slug>/outcomes/report.json", views.report_json, name="json"),
    path("<slug:slug>/outcomes/themes.csv", views.themes_csv, name="csv"),
    path("<slug:slug>/outcomes/survey/", views.survey, name="survey"),
    path("<slug:slug>/outcomes/v/<int:number>/", views.report, name="version"),
    path("<slug:slug>/outcomes/v/<int:number>/report.pdf", views.pdf, name="version_pdf"),
    path("<slug:slug>/outcomes/v/<int:number>/report.json", views.report_json,
         name="version_json"),
    path("<slug:slug>/outcomes/v/<int:number>/themes.csv", views.themes_csv,
         name="version_csv"),
]
