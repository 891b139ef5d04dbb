from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "fusionforum.vault"
    label = "vault"
    verbose_name = "Site-access data"

    def ready(self):
        from fusionforum.accounts import personal_data as registry

        from . import personal_data

        registry.register(personal_data.provide)
        registry.register_anonymiser(personal_data.anonymise)
