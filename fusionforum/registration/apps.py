from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "fusionforum.registration"
    label = "registration"
    verbose_name = "Registration"

    def ready(self):
        from fusionforum.accounts import affiliations, landing, merge
        from fusionforum.accounts import personal_data as accounts_personal_data
        from fusionforum.events import dashboard as event_dashboard
        from fusionforum.events.demo import register_demo_loader, register_demo_summary

        from . import dashboard, demo, merging, personal_data, signals  # noqa: F401
        from .views import public as views

        landing.register(30, views.landing_for_participant)

        event_dashboard.register_figures(dashboard.figures)
        event_dashboard.register_todos(dashboard.todos)
        register_demo_loader(demo.load)
        register_demo_summary(demo.desk_summary)
        accounts_personal_data.register(personal_data.provide)
        accounts_personal_data.register_anonymiser(personal_data.anonymise)
        merge.register_lock(merging.seat_locks)
        merge.register_check(merging.check_caps)
        merge.register_effect(merging.describe_reseating, merging.reseat_after_merge)
        affiliations.register(merging.held_registrations)
