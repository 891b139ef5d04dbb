from django.urls import include, path

from fusionforum.admin import site as admin_site
from fusionforum.events import views as event_views

handler404 = "fusionforum.core.views.not_found"
handler500 = "fusionforum.core.views.server_error"

urlpatterns = [
    path("", event_views.front_door, name="front_door"),
    path("healthz", event_views.healthz, name="healthz"),
    path("admin/", admin_site.urls),
    path("", include("fusionforum.events.urls")),
]
