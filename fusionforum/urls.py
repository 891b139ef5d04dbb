from django.urls import include, path

from fusionforum.admin import site as admin_site
from fusionforum.core import views as core_views
from fusionforum.events import views as event_views
from fusionforum.events.staff import staff_home

handler404 = "fusionforum.core.views.not_found"
handler500 = "fusionforum.core.views.server_error"

urlpatterns = [
    path("", event_views.front_door, name="front_door"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin_site.urls),
    path("accounts/", include("fusionforum.accounts.urls")),
    path("manage/", staff_home, name="staff_home"),
    path("", include("fusionforum.registration.urls")),
    # Organisers' pages: /manage/<event>/call/..., /manage/<event>/programme/...
    path("manage/<slug:slug>/call/review/", include("fusionforum.cfp.urls_decide")),
    path("manage/<slug:slug>/call/", include("fusionforum.cfp.urls_manage")),
    path("manage/<slug:slug>/programme/import/", include("fusionforum.programme.urls_import")),
    path("manage/<slug:slug>/programme/", include("fusionforum.programme.urls_manage")),
    path("manage/<slug:slug>/meetings/", include("fusionforum.meetings.urls_manage")),
    path("manage/<slug:slug>/visits/", include("fusionforum.visits.urls_manage")),
    path("manage/<slug:slug>/outcomes/", include("fusionforum.outcomes.urls_manage")),
    path("manage/<slug:slug>/editions/", include("fusionforum.outcomes.urls_editions")),
    # The security office's pages: /security/<event>/...
    path("security/<slug:slug>/", include("fusionforum.vault.urls_security")),
    # Reviewers' pages: /review/<event>/...
    path("review/<slug:slug>/", include("fusionforum.cfp.urls_review")),
    # Public and participants' pages: /<event>/call/..., /<event>/programme/..., talks, speakers
    path("", include("fusionforum.cfp.urls")),
    path("", include("fusionforum.meetings.urls")),
    path("", include("fusionforum.visits.urls")),
    path("", include("fusionforum.vault.urls")),
    path("", include("fusionforum.outcomes.urls")),
    path("", include("fusionforum.meetings.urls_expert")),
    path("", include("fusionforum.programme.urls_exports")),
    path("", include("fusionforum.programme.urls_public")),
    path("", include("fusionforum.events.urls")),
]
