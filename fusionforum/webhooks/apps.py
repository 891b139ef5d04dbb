from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "fusionforum.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from fusionforum.events import dashboard as event_dashboard

        from . import dashboard

        # Its figures and to-dos on the event's dashboard (/manage/<event>/).
        event_dashboard.register_figures(dashboard.figures)
        event_dashboard.register_todos(dashboard.todos)
        from fusionforum.accounts import personal_data as accounts_personal_data

        from . import emitting, personal_data, rules  # noqa: F401 - the rules register themselves

        emitting.connect()
        accounts_personal_data.register_anonymiser(personal_data.anonymise)
