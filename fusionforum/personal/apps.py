from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonalConfig(AppConfig):
    name = "fusionforum.personal"
    label = "personal"
    verbose_name = _("My workshop")

    def ready(self):
        from fusionforum.accounts import personal_data as accounts_personal_data
        from fusionforum.events.demo import register_demo_loader

        from . import demo, personal_data, rules  # noqa: F401 - the rules register themselves

        # Runs after every other app's demo loader (INSTALLED_APPS order): it reads their data.
        register_demo_loader(demo.load)
        accounts_personal_data.register(personal_data.provide)
        accounts_personal_data.register_anonymiser(personal_data.anonymise)
