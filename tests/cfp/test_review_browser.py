"""Review as people click through it: a reviewer confirms the second factor, scores and submits,
then reads the other reviews; the organiser accepts in bulk and the speaker's e-mail is in the
outbox. Pages are checked with axe-core."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from playwright.sync_api import expect

from fusionforum.cfp import review
from fusionforum.notifications.models import OutboundEmail

from ..browser.conftest import axe_violations, browser, open_page, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _with_backup_code(user, code):
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    device.token_set.create(token=code)
    return user


def _log_in(page, live_server, email, code, next_path):
    page.goto(f"{live_server.url}{next_path}")
    # Anonymous: the review pages send to the login, then to the second factor.
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()


def test_reviewer_reviews_then_organiser_accepts_in_bulk(browser, live_server, event, call,  # noqa: F811
                                                         organiser, make_submission,
                                                         make_reviewer, author):
    submission = make_submission(author=author, state="submitted",
                                 title="Compact stellarator coil results <b>bold</b>",
                                 challenges="Our confidential coil tolerance data",
                                 challenges_visibility="confidential")
    other = make_submission(state="submitted", title="Second synthetic talk")
    rhea = _with_backup_code(make_reviewer(full_name="Rhea Reviewer",
                                           email="rhea@test.invalid"), "rhea0001")
    sam = make_reviewer(full_name="Sam Second")
    for person in (rhea, sam):
        review.assign(submission, person, by=organiser)
    review.assign(other, rhea, by=organiser)
    review.save_review(submission, sam, submit=True,
                       scores={c.pk: 2 for c in review.score_categories(event)},
                       comment_to_organisers="Second opinion: figures are thin.")

    page = open_page(browser)
    _log_in(page, live_server, rhea.email, "rhea0001", f"/review/{event.slug}/")
    expect(page.get_by_role("heading", name="Submissions to review")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Compact stellarator coil results <b>bold</b>").click()
    expect(page.get_by_text("Our confidential coil tolerance data")).to_be_visible()
    expect(page.get_by_text("once you have submitted your own")).to_be_visible()
    assert "figures are thin" not in page.content()
    assert axe_violations(page) == []
    for category in review.score_categories(event):
        page.get_by_label(category.name).fill(str(category.max_score - 1))
    page.get_by_label("Comment to the organisers").fill("Convincing coil data.")
    page.get_by_label("Comment to the speakers (optional)").fill("Show the tolerance budget.")
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("Review submitted")).to_be_visible()
    expect(page.get_by_text("Second opinion: figures are thin.")).to_be_visible()
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()
    screenshot(page, "review-submitted")
    assert axe_violations(page) == []
    assert not page.console_problems
    page.context.close()

    _with_backup_code(organiser, "olga0001")
    organiser.set_password(PASSWORD)
    organiser.save()
    desk = open_page(browser)
    _log_in(desk, live_server, organiser.email, "olga0001",
            f"/manage/{event.slug}/call/review/")
    expect(desk.get_by_role("heading", name="Ranking and decisions")).to_be_visible()
    assert axe_violations(desk) == []
    desk.get_by_label("Select all submissions").check()  # desk.js shows the box
    desk.get_by_label("Decision", exact=True).select_option("accepted")
    desk.get_by_label("Include the reviewers' comments").check()
    desk.get_by_role("button", name="Decide and e-mail the speakers").click()
    expect(desk.get_by_text("2 submissions accepted")).to_be_visible()
    screenshot(desk, "review-bulk-accepted")
    assert axe_violations(desk) == []
    assert not desk.console_problems
    email = OutboundEmail.objects.get(purpose="cfp-accepted", to=[author.email])
    assert "Compact stellarator coil results <b>bold</b>" in email.body
    assert "Show the tolerance budget." in email.body
    assert f"/{event.slug}/call/{submission.code}/confirm/" in email.body
    desk.goto(f"{live_server.url}/manage/{event.slug}/call/review/s/{submission.code}/")
    expect(desk.get_by_text("Convincing coil data.")).to_be_visible()
    assert axe_violations(desk) == []
    for path, heading in (("reviewers/", "Reviewers and assignment"),
                          (f"reviewers/{rhea.pk}/", "Rhea Reviewer"),
                          ("scores/", "Score categories"), ("emails/", "Decision e-mails"),
                          ("emails/accepted/", "Submission accepted")):
        desk.goto(f"{live_server.url}/manage/{event.slug}/call/review/{path}")
        expect(desk.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert axe_violations(desk) == [], path
    assert not desk.console_problems
    desk.context.close()
