from django.apps import AppConfig


class CfpConfig(AppConfig):
    name = "fusionforum.cfp"
    label = "cfp"
    verbose_name = "Call for presentations"

    def ready(self):
        from fusionforum.events.demo import register_demo_loader

        from . import demo, demo_review

        # Submissions first, then their reviews and decisions.
        register_demo_loader(demo.load)
        register_demo_loader(demo_review.load)
