from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fusionforum.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self):
        from . import signals

        signals.connect()
