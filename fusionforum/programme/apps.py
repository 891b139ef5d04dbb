from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "fusionforum.programme"
    label = "programme"
    verbose_name = "Programme"

    def ready(self):
        from fusionforum.events.demo import register_demo_loader

        from . import demo, signals  # noqa: F401  (connects the call's state_changed)

        register_demo_loader(demo.load)
