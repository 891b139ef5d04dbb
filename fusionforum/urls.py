from django.urls import include, path

from fusionforum.accounts.views import public as account_views
from fusionforum.admin import site as admin_site
from fusionforum.core import views as core_views
from fusionforum.events.views import public as event_views
from fusionforum.events.views.staff import staff_home

handler404 = "fusionforum.core.views.not_found"
handler500 = "fusionforum.core.views.server_error"

urlpatterns = [
    path("", event_views.front_door, name="front_door"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin_site.urls),
    path("language/", account_views.set_language, name="set_language"),
    path("jsi18n/<str:language>.js", core_views.javascript_catalogue,
         name="javascript_catalogue"),
    path("accounts/", include("fusionforum.accounts.urls.public")),
    path("accounts/sso/", include("fusionforum.sso.urls.public")),
    path("manage/", staff_home, name="staff_home"),
    path("", include("fusionforum.events.urls.manage")),
    path("", include("fusionforum.registration.urls.public")),
    # Organisers' pages: /manage/<event>/call/..., /manage/<event>/programme/...
    path("manage/<slug:slug>/call/review/", include("fusionforum.cfp.urls.decide")),
    path("manage/<slug:slug>/call/", include("fusionforum.cfp.urls.manage")),
    path("manage/<slug:slug>/programme/import/", include("fusionforum.programme.urls.imports")),
    path("manage/<slug:slug>/programme/", include("fusionforum.programme.urls.manage")),
    path("manage/<slug:slug>/meetings/", include("fusionforum.meetings.urls.manage")),
    path("manage/<slug:slug>/visits/", include("fusionforum.visits.urls.manage")),
    path("manage/<slug:slug>/outcomes/", include("fusionforum.outcomes.urls.manage")),
    path("manage/<slug:slug>/editions/", include("fusionforum.outcomes.urls.editions")),
    # The security office's pages: /security/<event>/...
    path("security/<slug:slug>/", include("fusionforum.vault.urls.security")),
    # Reviewers' pages: /review/<event>/...
    path("review/<slug:slug>/", include("fusionforum.cfp.urls.review")),
    # Public and participants' pages: /<event>/call/..., /<event>/programme/..., talks, speakers
    path("", include("fusionforum.cfp.urls.public")),
    path("", include("fusionforum.meetings.urls.public")),
    path("", include("fusionforum.visits.urls.public")),
    path("", include("fusionforum.vault.urls.public")),
    path("", include("fusionforum.outcomes.urls.public")),
    path("", include("fusionforum.meetings.urls.expert")),
    path("", include("fusionforum.programme.urls.exports")),
    path("", include("fusionforum.programme.urls.public")),
    path("", include("fusionforum.events.urls.public")),
]
