"""The organisers' editor of the registration e-mails, under /manage/<event>/emails/."""

from django.urls import path

from ..views import emails as email_templates

urlpatterns = [
    path("emails/", email_templates.template_list, name="email_templates"),
    path("emails/<slug:key>/", email_templates.template_edit, name="email_template_edit"),
    path("emails/<slug:key>/reset/", email_templates.template_reset,
         name="email_template_reset"),
]
