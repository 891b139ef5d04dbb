from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "fusionforum.visits"
    label = "visits"
    verbose_name = _("Site visits")

    def ready(self):
        from fusionforum.events import dashboard as event_dashboard

        from . import dashboard

        # Its figures and to-dos on the event's dashboard (/manage/<event>/).
        event_dashboard.register_figures(dashboard.figures)
        event_dashboard.register_todos(dashboard.todos)
        from fusionforum.events import dates as event_dates_registry

        from . import event_dates

        # What of this app no longer fits when an event's dates change (one preview).
        event_dates_registry.register(event_dates.misfits)
        from fusionforum.accounts import personal_data as accounts_personal_data
        from fusionforum.core import lifecycle
        from fusionforum.events.demo import register_demo_loader
        from fusionforum.meetings import busy
        from fusionforum.registration.models import Registration
        from fusionforum.vault import demo as vault_demo
        from fusionforum.vault import registry, signals

        from . import demo, personal_data, services

        # Tours are allocated first; the meetings scheduler then treats tour seats as busy.
        busy.register(services.busy_provider)
        # The vault asks identity data only from seat holders, and a refusal frees the seats.
        registry.register_seat_provider(services.seat_holders)
        signals.clearance_decided.connect(services.on_clearance_decided,
                                          dispatch_uid="visits.clearance_decided")
        # A registration that ends releases the person's tour seats and waiting places.
        lifecycle.moved.connect(services.on_registration_moved, sender=Registration,
                                dispatch_uid="visits.registration_moved")
        accounts_personal_data.register(personal_data.provide)
        accounts_personal_data.register_anonymiser(personal_data.anonymise)
        # Tours first (the vault's demo gives access data to the demo's seat holders).
        register_demo_loader(demo.load)
        register_demo_loader(vault_demo.load)
