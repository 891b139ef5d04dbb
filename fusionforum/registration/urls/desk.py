"""Registration desk: lists, decisions, waiting list, exports, imports."""

from django.urls import path

from ..views import desk

urlpatterns = [
    path("registrations/", desk.registrations, name="desk_registrations"),
    path("registrations/export.csv", desk.export_csv, name="desk_export_csv"),
    path("registrations/export.xlsx", desk.export_xlsx, name="desk_export_xlsx"),
    path("registrations/<int:pk>/", desk.registration_detail, name="desk_registration"),
    path("registrations/<int:pk>/<slug:action>/", desk.registration_action,
         name="desk_registration_action"),
    path("waiting-list/", desk.waiting_list, name="desk_waiting_list"),
    path("organisations/", desk.organisations, name="desk_organisations"),
    path("organisations/merge/", desk.organisations_merge, name="desk_organisations_merge"),
    path("organisations/import/", desk.organisations_import, name="desk_organisations_import"),
]
