from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "fusionforum.notifications"
    label = "notifications"
    verbose_name = "Notifications"
