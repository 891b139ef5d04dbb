from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "fusionforum.programme"
    label = "programme"
    verbose_name = _("Programme")

    def ready(self):
        from fusionforum.events import dashboard as event_dashboard

        from . import dashboard

        # Its figures and to-dos on the event's dashboard (/manage/<event>/).
        event_dashboard.register_figures(dashboard.figures)
        event_dashboard.register_todos(dashboard.todos)
        from fusionforum.events import dates as event_dates_registry

        from . import event_dates, personal_data  # noqa: F401  (personal_data: its category)

        # What of this app no longer fits when an event's dates change (one preview).
        event_dates_registry.register(event_dates.misfits)
        from fusionforum.events.demo import register_demo_loader

        from . import demo, signals  # noqa: F401  (connects the call's state_changed)

        register_demo_loader(demo.load)
