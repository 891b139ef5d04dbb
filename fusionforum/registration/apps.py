from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "fusionforum.registration"
    label = "registration"
    verbose_name = "Registration"

    def ready(self):
        from . import signals  # noqa: F401
