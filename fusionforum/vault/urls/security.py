from django.urls import path

from ..views import security

app_name = "vault_security"

urlpatterns = [
    path("", security.overview, name="overview"),
    path("people/<int:user_id>/", security.person, name="person"),
    path("settings/", security.vault_settings, name="settings"),
    path("log/", security.access_log, name="log"),
    path("exports/", security.export_create, name="export_create"),
    path("exports/continue/", security.export_continue, name="export_continue"),
    path("exports/<str:token>/", security.export_download, name="export_download"),
]
