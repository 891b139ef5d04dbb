from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "fusionforum.vault"
    label = "vault"
    verbose_name = _("Site-access data")

    def ready(self):
        from fusionforum.accounts import personal_data as registry

        from . import personal_data

        registry.register(personal_data.provide)
        registry.register_anonymiser(personal_data.anonymise)
