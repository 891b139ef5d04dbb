import re

import pytest

from fusionforum.accounts.models import Organisation
from fusionforum.notifications.models import OutboundEmail

# The browser fixtures (Debian's Chromium through Playwright) for test_browser.py.
from ..browser.conftest import browser, page  # noqa: F401


@pytest.fixture
def organisation(db):
    organisation = Organisation(name="Fictional Plasma Laboratory", kind="public_lab",
                                country="FR", website="https://lab.test.invalid")
    organisation.full_clean()
    organisation.save()
    return organisation


@pytest.fixture
def signup_data(organisation):
    def factory(**overrides):
        data = {
            "full_name": "Ada Fictional", "email": "ada@test.invalid",
            "password": "tritium-breeding-blanket", "organisation_mode": "existing",
            "organisation": organisation.pk, "org_name": "", "org_kind": "", "org_country": "",
            "org_website": "", "org_fusion_approach": "",
        }
        data.update(overrides)
        return data

    return factory


def last_email(purpose):
    return OutboundEmail.objects.filter(purpose=purpose).order_by("-id").first()


def link_in(body, prefix):
    match = re.search(re.escape(prefix) + r"\S+", body)
    assert match, body
    return match.group(0)
