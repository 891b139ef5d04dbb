from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "fusionforum.visits"
    label = "visits"
    verbose_name = "Site visits"

    def ready(self):
        from fusionforum.events.demo import register_demo_loader
        from fusionforum.meetings import busy

        from . import demo, services

        # Tours are allocated first; the meetings scheduler then treats tour seats as busy.
        busy.register(services.busy_provider)
        register_demo_loader(demo.load)
        try:
            from fusionforum.vault import registry, signals
        except ImportError:  # the vault arrives in the same issue
            registry = signals = None
        if registry is not None:
            registry.register_seat_provider(services.seat_holders)
            signals.clearance_decided.connect(services.on_clearance_decided,
                                              dispatch_uid="visits.clearance_decided")
        try:
            from fusionforum.vault import demo as vault_demo
        except ImportError:
            vault_demo = None
        if vault_demo is not None:
            register_demo_loader(vault_demo.load)
