from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fusionforum.accounts"
    label = "accounts"
    verbose_name = "Accounts"
