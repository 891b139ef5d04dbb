from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "fusionforum.vault"
    label = "vault"
    verbose_name = "Site-access data"
