from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "fusionforum.outcomes"
    label = "outcomes"
    verbose_name = _("Outcomes and editions")

    def ready(self):
        from fusionforum.events.demo import register_demo_loader

        from . import demo, personal_data  # noqa: F401  (personal_data: its category)

        # After every other app's loader (outcomes is the last app installed): the report is
        # built from the demo's answers and its published meetings.
        register_demo_loader(demo.load)
        # The cloned next edition with its synthetic report, after the report it derives from.
        from . import demo_editions

        register_demo_loader(demo_editions.load)

        from fusionforum.accounts import merge

        from .models import SurveyResponse

        # One survey answer per organisation, the last delegate's: merging keeps the later one.
        merge.register_droppable(SurveyResponse, latest_by="submitted_at")
