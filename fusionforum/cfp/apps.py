from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CfpConfig(AppConfig):
    name = "fusionforum.cfp"
    label = "cfp"
    verbose_name = _("Call for presentations")

    def ready(self):
        from fusionforum.accounts import merge
        from fusionforum.accounts import personal_data as accounts_personal_data
        from fusionforum.events import dashboard as event_dashboard
        from fusionforum.events.demo import register_demo_loader

        from . import dashboard, demo, demo_review, personal_data
        from .models import ReviewerConflict

        event_dashboard.register_figures(dashboard.figures)
        event_dashboard.register_todos(dashboard.todos)
        # Submissions first, then their reviews and decisions.
        register_demo_loader(demo.load)
        register_demo_loader(demo_review.load)
        accounts_personal_data.register(personal_data.provide)
        accounts_personal_data.register_anonymiser(personal_data.anonymise)
        # The same conflict declared with both organisations is one conflict.
        merge.register_droppable(ReviewerConflict)
