from django.urls import include, path

from fusionforum.accounts.views import public as account_views
from fusionforum.admin import site as admin_site
from fusionforum.api.urls import v1 as api_v1
from fusionforum.cfp.urls import api as cfp_api
from fusionforum.core import views as core_views
from fusionforum.events.urls import api as events_api
from fusionforum.events.views import public as event_views
from fusionforum.events.views.staff import staff_home
from fusionforum.meetings.urls import api as meetings_api
from fusionforum.outcomes.urls import api as outcomes_api
from fusionforum.programme.urls import api as programme_api
from fusionforum.registration.urls import api as registration_api
from fusionforum.visits.urls import api as visits_api

handler404 = "fusionforum.core.views.not_found"
handler500 = "fusionforum.core.views.server_error"

# REST API v1 (docs/api.md): the foundation's schema and docs, then each app's resources,
# all in the namespace "api".
API_V1 = [*api_v1.urlpatterns, *events_api.urlpatterns, *programme_api.urlpatterns]
API_V1 += [*registration_api.urlpatterns, *cfp_api.urlpatterns, *meetings_api.urlpatterns,
           *visits_api.urlpatterns, *outcomes_api.urlpatterns]

urlpatterns = [
    path("", event_views.front_door, name="front_door"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin_site.urls),
    path("language/", account_views.set_language, name="set_language"),
    path("jsi18n/<str:language>.js", core_views.javascript_catalogue,
         name="javascript_catalogue"),
    path("api/v1/", include((API_V1, "api"))),
    path("accounts/api-tokens/", include("fusionforum.api.urls.tokens")),
    path("accounts/", include("fusionforum.accounts.urls.public")),
    path("accounts/sso/", include("fusionforum.sso.urls.public")),
    path("manage/", staff_home, name="staff_home"),
    path("", include("fusionforum.events.urls.manage")),
    path("", include("fusionforum.events.urls.notices")),
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
    path("manage/<slug:slug>/webhooks/", include("fusionforum.webhooks.urls.manage")),
    path("manage/<slug:slug>/announcements/", include("fusionforum.announcements.urls.manage")),
    # The security office's pages: /security/<event>/...
    path("security/<slug:slug>/", include("fusionforum.vault.urls.security")),
    # Reviewers' pages: /review/<event>/...
    path("review/<slug:slug>/", include("fusionforum.cfp.urls.review")),
    # Public and participants' pages: /<event>/call/..., /<event>/programme/..., talks, speakers
    path("", include("fusionforum.cfp.urls.public")),
    path("", include("fusionforum.meetings.urls.public")),
    path("", include("fusionforum.personal.urls.public")),
    path("", include("fusionforum.visits.urls.public")),
    path("", include("fusionforum.vault.urls.public")),
    path("", include("fusionforum.outcomes.urls.public")),
    path("", include("fusionforum.announcements.urls.public")),
    path("", include("fusionforum.meetings.urls.expert")),
    path("", include("fusionforum.programme.urls.exports")),
    path("", include("fusionforum.programme.urls.public")),
    path("", include("fusionforum.events.urls.public")),
]
