from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "fusionforum.meetings"
    label = "meetings"
    verbose_name = "Expert meetings"
