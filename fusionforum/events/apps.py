from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "fusionforum.events"
    label = "events"
    verbose_name = "Events"

    def ready(self):
        from . import signals  # noqa: F401
