from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "fusionforum.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from fusionforum.accounts import personal_data

        from . import personal_data as api_personal_data  # noqa: F401  (its category)
        from . import rules, schema, services  # noqa: F401  (rules and schema extensions)

        personal_data.register(services.token_sections)
        personal_data.register_anonymiser(services.forget_tokens)
