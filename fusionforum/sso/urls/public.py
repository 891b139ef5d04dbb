from django.urls import path

from ..views import public as views

app_name = "sso"

urlpatterns = [
    path("start/<slug:key>/", views.start, name="start"),
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("saml/<slug:key>/metadata/", views.saml_metadata, name="saml_metadata"),
    path("saml/<slug:key>/acs/", views.saml_acs, name="saml_acs"),
    path("link/", views.link, name="link"),
    path("link/<str:token>/", views.link_email, name="link_email"),
    path("signed-out/", views.signed_out, name="signed_out"),
]
