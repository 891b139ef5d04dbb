from django.conf import settings
from django.db import models


class Profile(models.Model):
    """What the provider asserts about a person (claims), and, for the tests of refusals, how
    their ID token is spoiled (``token``: iss, exp_delta, nonce)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="idp_profile")
    claims = models.JSONField(default=dict)
    token = models.JSONField(default=dict)

    def __str__(self):
        return self.user.username
