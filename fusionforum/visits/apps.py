from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "fusionforum.visits"
    label = "visits"
    verbose_name = "Site visits"
