from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "fusionforum.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from fusionforum.accounts import landing, roles
        from fusionforum.accounts import personal_data as registry
        from fusionforum.api import registry as api_registry
        from fusionforum.core import languages

        from . import archive, personal_data, rules, signals  # noqa: F401  (archive: the guard)
        from .views import staff

        languages.register_event_language(default_language_of)
        landing.register(10, staff.landing_for_staff)
        roles.register(staff_role=rules.has_staff_role, organiser=rules.is_any_organiser)

        registry.register(personal_data.provide)
        registry.register_anonymiser(personal_data.anonymise)
        api_registry.register_event_choices(token_event_choices)


def default_language_of(slug: str) -> str | None:
    """The default language of the event at ``slug`` (None if there is none)."""
    from .models import Event

    return Event.objects.filter(slug=slug).values_list("default_language", flat=True).first()


def token_event_choices(user):
    """The events a person may limit an API token to: those they may see."""
    from .services import visible_events

    return visible_events(user).order_by("-start_date", "title")
