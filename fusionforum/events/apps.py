from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "fusionforum.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from fusionforum.accounts import landing, roles
        from fusionforum.accounts import personal_data as registry

        from . import personal_data, rules, signals  # noqa: F401
        from .views import staff

        landing.register(10, staff.landing_for_staff)
        roles.register(staff_role=rules.has_staff_role, organiser=rules.is_any_organiser)

        registry.register(personal_data.provide)
        registry.register_anonymiser(personal_data.anonymise)
