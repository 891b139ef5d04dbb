from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "fusionforum.vault"
    label = "vault"
    verbose_name = _("Site-access data")

    def ready(self):
        from fusionforum.events import dashboard as event_dashboard

        from . import dashboard

        # Its figures and to-dos on the event's dashboard (/manage/<event>/).
        event_dashboard.register_figures(dashboard.figures)
        event_dashboard.register_todos(dashboard.todos)
        from fusionforum.accounts import personal_data as registry

        from . import personal_data

        registry.register(personal_data.provide)
        registry.register_anonymiser(personal_data.anonymise)
