# ruff: noqa: F811  (fixtures re-exported from tests/cfp are used as arguments)
"""Merging a duplicate organisation: everything that points at it moves (found from the
models' metadata, so a new foreign key is never forgotten), in one transaction, under the seat
locks; delegate caps and seat pools stay right; refusals change nothing; the desk page
previews and asks for confirmation; organisers only merge what is theirs."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fusionforum.accounts import merge
from fusionforum.accounts.models import Organisation, User
from fusionforum.cfp.models import ReviewerConflict, Submission
from fusionforum.core.models import AuditEntry
from fusionforum.meetings.models import MeetingRequest
from fusionforum.outcomes.models import SurveyResponse
from fusionforum.registration import capacity, desk_services
from fusionforum.registration import services as registration_services
from fusionforum.registration.models import Registration, RegistrationSettings, ReservedSeats
from fusionforum.registration.states import HOLDS_SEAT

from ..cfp.conftest import (  # noqa: F401  (re-exported fixtures)
    call,
    make_cfp_organisation,
    make_participant,
    make_submission,
)
from ..conftest import login_verified, paris

pytestmark = pytest.mark.django_db


def _merge_url(event):
    return f"/manage/{event.slug}/organisations/merge/"


def _invariants(event):
    """Seats per pool never exceed the pool; totals are the sums; no organisation holds more
    seats than the cap."""
    reg_settings = event.registration_settings
    table = capacity.summary(reg_settings)
    for pool, row in table.items():
        assert row["taken"] <= row["seats"], (pool, row)
    held = Registration.objects.filter(event=event, status__in=HOLDS_SEAT).count()
    assert sum(row["taken"] for row in table.values()) == held
    cap = reg_settings.delegates_per_organisation
    if cap is not None:
        for organisation in Organisation.objects.all():
            assert capacity.organisation_seats(event, organisation) <= cap, organisation


def test_every_foreign_key_to_an_organisation_is_known_to_the_merge():
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if field.is_relation and field.related_model is Organisation:
                found.add((model._meta.label, field.name))
    assert {(m._meta.label, f.name) for m, f in merge.relations()} == found
    assert ("registration.Registration", "organisation") in found
    assert ("meetings.MeetingRequest", "organisation") in found


@pytest.fixture
def pair(make_organisation):
    keep = make_organisation("Fictional Fusion Ltd")
    duplicate = make_organisation("Fictional Fusion Limited",
                                  kind=Organisation.Kind.SUPPLIER, fusion_approach="")
    return duplicate, keep


def test_merge_moves_everything_and_keeps_seats_and_caps_right(
        event, organiser, clock, register, make_person, pair, call, make_submission,
        make_user):
    duplicate, keep = pair
    # The call's fixtures made the event's registration settings already.
    reg_settings = RegistrationSettings.objects.get(event=event)
    reg_settings.capacity, reg_settings.delegates_per_organisation = 6, 3
    reg_settings.save()
    ReservedSeats.objects.create(settings=reg_settings, organisation_kind="supplier", seats=2)
    kept_person = register(make_person(keep))
    moving = [register(make_person(duplicate)) for _ in range(2)]
    assert {r.seat_pool for r in moving} == {Organisation.Kind.SUPPLIER}
    lurker = make_person(duplicate)  # a member without a registration
    submission = make_submission(organisation=duplicate, author=moving[0].user)
    reviewer = make_user()
    ReviewerConflict.objects.create(event=event, reviewer=reviewer, organisation=keep)
    ReviewerConflict.objects.create(event=event, reviewer=reviewer, organisation=duplicate)
    other_reviewer = make_user()
    ReviewerConflict.objects.create(event=event, reviewer=other_reviewer, organisation=duplicate)
    old = SurveyResponse.objects.create(event=event, organisation=keep, usefulness=3,
                                        likely_to_engage=3, submitted_at=paris(2027, 5, 29))
    newer = SurveyResponse.objects.create(event=event, organisation=duplicate, usefulness=5,
                                          likely_to_engage=5, submitted_at=paris(2027, 5, 30))
    taken_before = capacity.seats_taken(event)

    plan = desk_services.merge_preview(organiser, duplicate, keep)
    assert plan.possible, plan.problems
    moves = dict(plan.moves)
    assert moves["users"] == 3 and moves["registrations"] == 2 and moves["submission"] == 1
    assert dict(plan.dropped) == {"reviewer conflict": 1, "survey response": 1}
    assert Organisation.objects.filter(pk=duplicate.pk).exists()  # a preview changes nothing

    duplicate_pk = duplicate.pk
    desk_services.merge_organisations(organiser, duplicate, keep)
    assert not Organisation.objects.filter(pk=duplicate_pk).exists()
    for model, fk in merge.relations():
        assert not model._default_manager.filter(**{f"{fk.name}_id": duplicate_pk}).exists()
    assert set(User.objects.filter(organisation=keep)) == {
        kept_person.user, moving[0].user, moving[1].user, lurker}
    for registration in moving:
        registration.refresh_from_db()
        assert registration.organisation == keep
        assert registration.seat_pool == Organisation.Kind.SUPPLIER  # the seat stays
    assert Submission.objects.get(pk=submission.pk).organisation == keep
    assert ReviewerConflict.objects.filter(reviewer=reviewer).count() == 1
    assert ReviewerConflict.objects.get(reviewer=other_reviewer).organisation == keep
    assert list(SurveyResponse.objects.filter(event=event)) == [newer]  # the later answer
    assert not SurveyResponse.objects.filter(pk=old.pk).exists()
    assert capacity.seats_taken(event) == taken_before
    assert capacity.organisation_seats(event, keep) == 3
    _invariants(event)
    entry = AuditEntry.objects.get(action="accounts.organisations_merged")
    assert entry.actor == organiser and entry.object_id == str(keep.pk)
    assert entry.data["merged_name"] == "Fictional Fusion Limited"
    # The cap now counts the merged organisation: a fourth delegate waits.
    reg_settings.refresh_from_db()
    fourth = register(make_person(keep))
    assert fourth.status == "waitlisted"


def test_a_merge_that_would_exceed_the_delegate_cap_is_refused_and_changes_nothing(
        event, organiser, clock, open_registration, register, make_person, pair):
    duplicate, keep = pair
    open_registration(capacity=10, delegates_per_organisation=2)
    for organisation in (keep, keep, duplicate):
        register(make_person(organisation))
    plan = desk_services.merge_preview(organiser, duplicate, keep)
    assert not plan.possible
    assert "together they hold 3 seats, more than the limit of 2" in plan.problems[0]
    with pytest.raises(merge.MergeRefused):
        desk_services.merge_organisations(organiser, duplicate, keep)
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    assert Registration.objects.filter(organisation=duplicate).count() == 1
    assert not AuditEntry.objects.filter(action="accounts.organisations_merged").exists()
    # Once one of them is cancelled, the merge goes through.
    registration_services.cancel(Registration.objects.filter(organisation=keep).first(),
                                 by=organiser, note="Duplicate delegate")
    desk_services.merge_organisations(organiser, duplicate, keep)
    _invariants(event)


def test_two_active_requests_for_the_same_discipline_must_be_resolved_first(
        event, organiser, clock, open_registration, pair):
    duplicate, keep = pair
    open_registration()
    for organisation in (duplicate, keep):
        MeetingRequest.objects.create(event=event, organisation=organisation,
                                      discipline="magnets", topic="Synthetic topic",
                                      submitted_at=paris(2027, 5, 1))
    plan = desk_services.merge_preview(organiser, duplicate, keep)
    assert not plan.possible
    assert "1 meeting request of “Fictional Fusion Limited” would duplicate" in plan.problems[0]
    with pytest.raises(merge.MergeRefused):
        desk_services.merge_organisations(organiser, duplicate, keep)
    MeetingRequest.objects.filter(organisation=duplicate).update(status="withdrawn")
    desk_services.merge_organisations(organiser, duplicate, keep)
    assert MeetingRequest.objects.filter(organisation=keep).count() == 2


def test_an_organiser_merges_only_organisations_of_their_own_events(
        event, make_event, organiser, clock, open_registration, make_person, pair, make_user):
    duplicate, keep = pair
    open_registration()
    other_event = make_event(slug="other-2027", title="Another Fictional Workshop")
    Registration.objects.create(event=other_event, user=make_person(duplicate),
                                organisation=duplicate, status="pending",
                                submitted_at=paris(2027, 4, 2))
    plan = desk_services.merge_preview(organiser, duplicate, keep)
    assert plan.problems == [desk_services.NOT_YOURS] and plan.moves == []
    with pytest.raises(merge.MergeRefused):
        desk_services.merge_organisations(organiser, duplicate, keep)
    admin = make_user(is_superuser=True, is_staff=True)
    desk_services.merge_organisations(admin, duplicate, keep)
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()


def test_the_desk_page_previews_then_merges_on_confirmation(
        event, organiser, clock, open_registration, register, make_person, pair, make_user):
    duplicate, keep = pair
    open_registration()
    register(make_person(duplicate))
    client = login_verified(Client(), organiser)
    page = client.get(f"/manage/{event.slug}/organisations/")
    assert _merge_url(event) in page.content.decode()
    form = client.get(_merge_url(event))
    assert form.status_code == 200
    assert "Show what would move" in form.content.decode()
    same = client.get(_merge_url(event), {"duplicate": keep.pk, "keep": keep.pk})
    assert same.status_code == 400
    assert "Choose an organisation other than the duplicate" in same.content.decode()
    preview = client.get(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "1 registration</li>" in html and "1 user</li>" in html
    assert "Merge and remove “Fictional Fusion Limited”" in html
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    # A POST without the confirmation only previews.
    assert client.post(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk}
                       ).status_code == 200
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    done = client.post(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk,
                                           "confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == f"/manage/{event.slug}/organisations/"
    assert "was merged into “Fictional Fusion Ltd”: 2 records moved." in done.content.decode()
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    # Confirming again (the duplicate is gone): a clear 400, nothing else happens.
    again = client.post(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk,
                                            "confirm": "1"})
    assert again.status_code == 400
    # Nobody but the event's organisers reaches the page.
    for person in (make_person(keep), make_user(is_staff=True)):
        other = login_verified(Client(), person)
        assert other.get(_merge_url(event)).status_code == 404
        assert other.post(_merge_url(event), {"duplicate": keep.pk, "keep": keep.pk,
                                              "confirm": "1"}).status_code == 404


def test_a_refused_confirmation_says_why_and_keeps_everything(
        event, organiser, clock, open_registration, register, make_person, pair):
    duplicate, keep = pair
    open_registration(capacity=10, delegates_per_organisation=1)
    register(make_person(duplicate))
    register(make_person(keep))
    client = login_verified(Client(), organiser)
    response = client.post(_merge_url(event), {"duplicate": duplicate.pk, "keep": keep.pk,
                                               "confirm": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was merged" in html and "more than the limit of 1" in html
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


ACTIONS = st.lists(st.tuples(st.sampled_from(["dup", "keep", "other"]),
                             st.sampled_from(["register", "cancel"])), min_size=1, max_size=14)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, cap=st.sampled_from([None, 2, 3]))
def test_random_histories_keep_the_seat_invariants_through_a_merge(
        event, organiser, clock, open_registration, make_organisation, make_person,
        actions, cap):
    with transaction.atomic():
        open_registration(capacity=5, delegates_per_organisation=cap,
                          reserved={Organisation.Kind.SUPPLIER: 2})
        orgs = {"keep": make_organisation("Fictional Keep"),
                "dup": make_organisation("Fictional Dup", kind=Organisation.Kind.SUPPLIER,
                                         fusion_approach=""),
                "other": make_organisation("Fictional Other", kind=Organisation.Kind.ACADEMIA,
                                           fusion_approach="")}
        for which, action in actions:
            organisation = orgs[which]
            if action == "register":
                registration_services.submit(event, make_person(organisation),
                                             organisation=organisation, answers={},
                                             consent_public_list=False)
            else:
                victim = Registration.objects.filter(
                    event=event, organisation=organisation,
                    status__in=["confirmed", "waitlisted", "offered"]).first()
                if victim is not None:
                    registration_services.cancel(victim, by=organiser, note="Random")
            clock.advance(minutes=1)
        _invariants(event)
        before = {r.pk: (r.status, r.seat_pool) for r in Registration.objects.all()}
        try:
            merge.merge(orgs["dup"], orgs["keep"], by=organiser)
        except merge.MergeRefused:
            assert Organisation.objects.filter(pk=orgs["dup"].pk).exists()
            assert Registration.objects.filter(organisation=orgs["dup"]).count() == sum(
                1 for w, a in actions if w == "dup" and a == "register")
        else:
            assert not Organisation.objects.filter(name="Fictional Dup").exists()
        # Seats never move in a merge, whatever happened.
        assert {r.pk: (r.status, r.seat_pool) for r in Registration.objects.all()} == before
        _invariants(event)
        transaction.set_rollback(True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_merging_on_a_phone_with_the_keyboard(browser, live_server, client, event, organiser,
                                              clock, open_registration, register, make_person,
                                              pair):
    from django.conf import settings as django_settings
    from playwright.sync_api import expect

    from ..browser.conftest import axe_violations, open_page, screenshot

    duplicate, keep = pair
    open_registration()
    register(make_person(duplicate))
    login_verified(client, organiser)
    for size, name in (({"width": 390, "height": 844}, "phone"),
                       ({"width": 1366, "height": 900}, "desktop")):
        page = open_page(browser, viewport=size, is_mobile=name == "phone")
        page.context.add_cookies([{
            "name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}])
        page.goto(live_server.url + _merge_url(event))
        page.get_by_label("Duplicate (removed after the merge)").select_option(
            label=duplicate.name)
        page.get_by_label("Organisation to keep").select_option(label=keep.name)
        page.get_by_role("button", name="Show what would move").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=f"Merging “{duplicate.name}” into "
                                                f"“{keep.name}”")).to_be_visible()
        expect(page.get_by_text("1 registration", exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        violations = axe_violations(page)
        assert violations == [], violations
        screenshot(page, f"desk-merge-preview-{name}")
        if name == "phone":
            confirm = page.get_by_role("button", name=f"Merge and remove “{duplicate.name}”")
            confirm.focus()
            page.keyboard.press("Enter")
            expect(page.get_by_text(f"“{duplicate.name}” was merged into “{keep.name}”"
                                    )).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
            assert not Organisation.objects.filter(pk=duplicate.pk).exists()
            # The desktop pass previews a new duplicate of the same name.
            duplicate = Organisation.objects.create(name=duplicate.name, kind="supplier",
                                                    country="FR")
            register(make_person(duplicate))
        assert page.console_problems == []
        page.context.close()


def test_frozen_documents_that_name_the_duplicate_by_id_follow_the_merge(
        event, organiser, clock, make_organisation, make_person):
    from fusionforum.meetings import agenda

    first, second, third = (make_organisation(f"Fictional Twin {n}") for n in range(3))
    colleague = make_person(third)
    # A published meetings schedule names the organisation by id.
    snapshot = {"meetings": [{"organisation": first.pk, "attendees": [], "topic": "Magnets",
                              "confidential": True, "expert": 1}]}
    first_pk, second_pk = first.pk, second.pk
    merge.merge(first, second, by=organiser)
    merge.merge(second, third, by=organiser)
    assert merge.current_ids() == {first_pk: third.pk, second_pk: third.pk}
    meetings = agenda.participant_meetings(snapshot, colleague, third.pk)
    assert len(meetings) == 1 and meetings[0]["mine"] is False
    assert agenda.visible_topic(meetings[0], viewer_organisation=third.pk, viewer_expert=None,
                                organiser=False) == "Magnets"
    assert snapshot["meetings"][0]["organisation"] == first_pk  # the document stays frozen
