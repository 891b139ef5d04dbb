from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "fusionforum.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and editions"
