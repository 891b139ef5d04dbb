from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "fusionforum.announcements"
    label = "announcements"
    verbose_name = _("Announcements and reminders")

    def ready(self):
        from fusionforum.accounts import personal_data as registry
        from fusionforum.events import demo as events_demo

        from . import demo, personal_data, rules, translation  # noqa: F401 - they register

        registry.register(personal_data.provide)
        registry.register_anonymiser(personal_data.anonymise)
        events_demo.register_demo_loader(demo.load)
