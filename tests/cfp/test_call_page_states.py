"""The call page never offers what the call's state refuses: in every state of the call (not
yet open, open, closed, closed with an extension for this person), signed in or not, it says
the state and offers only what the person can do now."""

import pytest

from fusionforum.cfp import services

from ..conftest import paris

pytestmark = pytest.mark.django_db

URL = "/workshop-2027/call/"
BEFORE, DURING, AFTER = paris(2027, 3, 20), paris(2027, 5, 20), paris(2027, 6, 1)


def page(client, user=None):
    if user is not None:
        client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def offers(html):
    """What the submission part of the page offers."""
    return {
        "log in to submit": ("Log in to submit" in html
                             or 'class="button" href="/accounts/login/' in html),
        "start": "Start a submission" in html,
        "register": "Register for the event" in html,
        "log in to see": "log in to see their submissions" in html,
        "extension": "has an extension" in html,
    }


NOTHING = dict.fromkeys(["log in to submit", "start", "register", "log in to see",
                         "extension"], False)


@pytest.mark.parametrize(("moment", "state_text", "expected"), [
    (BEFORE, "Not open yet.", {}),
    (DURING, "Open.", {"log in to submit": True}),
    (AFTER, "Closed.", {"log in to see": True}),
])
def test_signed_out(client, call, clock, moment, state_text, expected):
    clock.set(moment)
    html = page(client)
    assert state_text in html
    assert offers(html) == {**NOTHING, **expected}


@pytest.mark.parametrize(("moment", "state_text", "expected"), [
    (BEFORE, "Not open yet.", {}),
    (DURING, "Open.", {"start": True}),
    (AFTER, "Closed.", {}),
])
def test_registered_participant(client, call, clock, author, moment, state_text, expected):
    clock.set(moment)
    html = page(client, author)
    assert state_text in html
    assert offers(html) == {**NOTHING, **expected}


@pytest.mark.parametrize(("moment", "expected"), [
    (BEFORE, {}), (DURING, {"register": True}), (AFTER, {})])
def test_signed_in_but_not_registered(client, call, clock, make_participant, org_a, moment,
                                      expected):
    clock.set(moment)
    html = page(client, make_participant(org_a, status=None))
    assert offers(html) == {**NOTHING, **expected}


def test_closed_with_an_extension_for_this_person(client, call, clock, make_submission, author,
                                                  colleague, organiser):
    extended = make_submission(author=author, state="submitted", title="Extended talk")
    make_submission(author=colleague, state="submitted", title="Other talk")
    services.extend_deadline(extended, organiser, paris(2027, 6, 10, 12))
    clock.set(AFTER)
    html = page(client, author)
    assert "Closed." in html
    assert offers(html) == {**NOTHING, "extension": True}
    assert f'href="/workshop-2027/call/{extended.code}/edit/">Extended talk</a> has an ' \
           f"extension" in html
    assert "10 June 2027, 12:00" in html
    # The colleague has no extension: the page says closed and offers nothing.
    client.logout()
    assert offers(page(client, colleague)) == NOTHING
    # Past the extension, it is gone too.
    clock.set(paris(2027, 6, 11))
    client.logout()
    assert offers(page(client, author)) == NOTHING
