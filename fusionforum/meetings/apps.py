from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "fusionforum.meetings"
    label = "meetings"
    verbose_name = _("Expert meetings")

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
        from fusionforum.accounts import landing
        from fusionforum.accounts import personal_data as accounts_personal_data
        from fusionforum.events.demo import register_demo_loader

        from . import busy, demo, personal_data
        from .views import expert as views_expert

        landing.register(20, views_expert.landing_for_expert)

        # Speakers and chairs of released talks are busy while they run. The site-visits app
        # registers its tour seats the same way (see busy.py).
        busy.register(busy.programme_talks)
        # Runs after the programme's demo loader (apps load in INSTALLED_APPS order).
        register_demo_loader(demo.load)
        accounts_personal_data.register(personal_data.provide)
        # An expert who refused both organisations of a merge refuses the one kept: one fact.
        from fusionforum.accounts import merge

        from .models import ExpertRefusal

        merge.register_droppable(ExpertRefusal)
        accounts_personal_data.register_anonymiser(personal_data.anonymise)
