from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "fusionforum.sso"
    label = "sso"
    verbose_name = "Single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from fusionforum.accounts import external
        from fusionforum.accounts import personal_data as registry
        from fusionforum.events.demo import register_demo_loader

        from . import demo, directory, oidc, personal_data, saml  # noqa: F401 - protocols register

        external.register(directory.Directory())
        register_demo_loader(demo.load)
        registry.register(personal_data.provide)
        registry.register_anonymiser(personal_data.anonymise)
