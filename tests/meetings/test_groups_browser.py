"""Meeting day v2 as people click through it, at phone and desktop sizes: an expert marks an
organisation they will not meet, that organisation's delegate is refused when naming them, a
participant asks for two experts together with the keyboard, the organiser runs the scheduler
(the objective explained, first come, first served beside it) and publishes, and both the
participant's and the experts' agendas show the meeting with both experts; axe on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fusionforum.meetings.models import ExpertRefusal, Meeting, MeetingRequest

from ..browser.conftest import browser, open_page  # noqa: F401
from .test_browser import desk_organiser, log_in, no_axe  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def type_into(page, locator, text):
    """Click into a field and type, Enter for a new line (as a person does)."""
    locator.click()
    for number, line in enumerate(text.split("\n")):
        if number:
            page.keyboard.press("Enter")
        page.keyboard.type(line)


@pytest.mark.parametrize("size", SIZES)
def test_two_experts_conflict_run_publish_agendas(browser, live_server, event, people,  # noqa: F811
                                                  experts, orgs, desk_organiser, size):  # noqa: F811
    slug = event.slug
    viewport = SIZES[size]

    # The expert marks Beta Cryo as an organisation she will not meet.
    expert_page = open_page(browser, viewport=viewport)
    log_in(expert_page, live_server, experts["mara"].user.email, f"/{slug}/expert/")
    expert_page.get_by_role("link", name="Organisations you will not meet").click()
    expect(expert_page.get_by_role("heading", name="Organisations you will not meet")) \
        .to_be_visible()
    no_axe(expert_page, f"meetings-conflicts-{size}")
    expert_page.get_by_label("Organisation you will not meet").select_option(
        label="Beta Cryo (test)")
    type_into(expert_page, expert_page.get_by_label("Reason (optional)"),
              "Ongoing tender\nwith this supplier")
    expert_page.get_by_role("button", name="Save").focus()
    expert_page.keyboard.press("Enter")
    expect(expert_page.locator(".messages")).to_contain_text(
        "you will not be scheduled with Beta Cryo (test)")
    expect(expert_page.get_by_role("table")).to_contain_text("Beta Cryo (test)")
    assert ExpertRefusal.objects.get().reason == "Ongoing tender\nwith this supplier"

    # Beta's delegate names her: refused in words.
    beta = open_page(browser, viewport=viewport)
    log_in(beta, live_server, people["bea"].email, f"/{slug}/meetings/requests/new/")
    type_into(beta, beta.get_by_role("textbox", name="Topic"), "Quench detection")
    beta.get_by_label("Whom do you want to meet?").select_option(
        value=f"expert:{experts['mara'].pk}")
    beta.get_by_role("button", name="Send the request").click()
    expect(beta.locator("#id_target-error")).to_contain_text(
        "Mara Magnet cannot meet your organisation (a conflict of interest)")
    assert not MeetingRequest.objects.filter(organisation=orgs[1]).exists()

    # Alice asks for Mara together with someone in cryogenics, with the keyboard.
    participant = open_page(browser, viewport=viewport)
    log_in(participant, live_server, people["alice"].email, f"/{slug}/meetings/requests/new/")
    expect(participant.get_by_role("heading", name="Ask for a meeting")).to_be_visible()
    no_axe(participant, f"meetings-request-two-experts-{size}")
    type_into(participant, participant.get_by_role("textbox", name="Topic"),
              "Cooling our HTS central solenoid:\nmagnet and cryoplant together")
    participant.get_by_label("Whom do you want to meet?").select_option(
        value=f"expert:{experts['mara'].pk}")
    participant.get_by_label("Together with a second expert (optional)").select_option(
        value="discipline:cryogenics")
    participant.get_by_role("button", name="Send the request").focus()
    participant.keyboard.press("Enter")
    expect(participant.locator(".messages")).to_contain_text("Your request was saved")
    request = MeetingRequest.objects.get(organisation=orgs[0])
    assert (request.expert, request.discipline2) == (experts["mara"], "cryogenics")
    assert request.topic == "Cooling our HTS central solenoid:\nmagnet and cryoplant together"
    expect(participant.get_by_role("table").first).to_contain_text(
        "Mara Magnet together with someone in cryogenics")

    # The organiser runs the scheduler, reads the objective and the comparison, publishes.
    organiser_page = open_page(browser, viewport=viewport)
    log_in(organiser_page, live_server, desk_organiser.email, f"/manage/{slug}/meetings/",
           code="meet0001")
    organiser_page.get_by_role("button", name="Compute the whole schedule").click()
    expect(organiser_page.get_by_text("The result is now the working schedule")).to_be_visible()
    expect(organiser_page.locator("#run-objective")).to_contain_text(
        "Every organisation first, then a second meeting for as many as possible, then "
        "priorities, then fewer gaps.")
    expect(organiser_page.locator("#run-levels")).to_contain_text("First come, first served")
    expect(organiser_page.locator("#run-comparison")).to_contain_text(
        "would have had no meeting")
    no_axe(organiser_page, f"meetings-run-v2-{size}")
    meeting = Meeting.objects.get(request=request)
    second = meeting.expert2
    assert meeting.expert == experts["mara"] and second is not None
    organiser_page.get_by_role("link", name="Experts").first.click()
    expect(organiser_page.get_by_role("table")).to_contain_text("Beta Cryo (test)")
    expect(organiser_page.get_by_role("table")).not_to_contain_text("Ongoing tender")
    organiser_page.get_by_role("link", name="Overview and publication").click()
    no_axe(organiser_page, f"meetings-review-v2-{size}")
    organiser_page.get_by_label("Close requests now").check()
    organiser_page.get_by_role("button", name="Publish version 1").click()
    expect(organiser_page.get_by_role("heading", name="Meetings, version 1")).to_be_visible()
    expect(organiser_page.get_by_role("table")).to_contain_text(f"Mara Magnet and {second.name}")

    # The participant's agenda and the expert's show both experts.
    participant.goto(f"{live_server.url}/{slug}/meetings/")
    expect(participant.locator("table.meetings-agenda")).to_contain_text(
        f"Mara Magnet and {second.name}")
    no_axe(participant, f"meetings-agenda-v2-{size}")
    expert_page.goto(f"{live_server.url}/{slug}/expert/")
    expect(expert_page.locator("table.meetings-agenda")).to_contain_text(
        f"Together with {second.name}")
    no_axe(expert_page, f"meetings-expert-agenda-v2-{size}")
    # Beta's refused request answered 400 on purpose (the form with its reason).
    assert all("400" in problem for problem in beta.console_problems)
    for page in (expert_page, participant, organiser_page):
        assert page.console_problems == []
    for page in (expert_page, beta, participant, organiser_page):
        page.context.close()
