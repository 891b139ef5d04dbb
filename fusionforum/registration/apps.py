from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "fusionforum.registration"
    label = "registration"
    verbose_name = "Registration"

    def ready(self):
        from fusionforum.events.demo import register_demo_loader

        from . import demo, signals  # noqa: F401

        register_demo_loader(demo.load)
