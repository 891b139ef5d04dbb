from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fusionforum.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import personal_data, services

        personal_data.register(services.account_sections)
        personal_data.register_anonymiser(services.anonymise_account_records)
