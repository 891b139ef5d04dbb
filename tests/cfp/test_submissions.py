"""The submission services: the state machine, deadlines and extensions, validation and
all-or-nothing writes, e-mails."""

import datetime as dt
import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fusionforum.cfp import services
from fusionforum.cfp.models import KeyFigure, Submission, SubmissionTransition
from fusionforum.cfp.services import KeyFigureData, SubmissionContent
from fusionforum.notifications.models import OutboundEmail

from ..conftest import paris


def content(author, **overrides):
    values = {
        "title": "Synthetic milestones on a fictional stellarator",
        "abstract": "A synthetic abstract.",
        "breakthroughs": "We achieved long pulses.",
        "breakthrough_scale": "prototype_device",
        "challenges": "Coil manufacturing.",
        "iter_help": "Share supplier lists.",
        "speakers": [author],
        "key_figures": [KeyFigureData("Pulse length", decimal.Decimal("480"), "s")],
    }
    values.update(overrides)
    return SubmissionContent(**values)


@pytest.mark.django_db
class TestLifecycle:
    def test_draft_then_submit_logs_transitions_and_mails_authors(
            self, call, event, author, colleague, django_capture_on_commit_callbacks):
        submission = services.create_submission(event, author, content(author,
                                                speakers=[author, colleague]))
        assert submission.state == "draft"
        assert submission.organisation == author.organisation
        assert submission.key_figures.get().unit == "s"
        with django_capture_on_commit_callbacks(execute=True):
            services.submit(submission, author)
        assert submission.state == "submitted"
        assert submission.submitted_at is not None
        transition = SubmissionTransition.objects.get(submission=submission)
        assert (transition.from_state, transition.to_state, transition.by) == (
            "draft", "submitted", author)
        mail = OutboundEmail.objects.get(purpose="cfp_submitted")
        assert set(mail.to) == {author.email, colleague.email}
        assert submission.code in mail.body

    def test_submit_at_once(self, call, event, author):
        submission = services.create_submission(event, author, content(author), submit=True)
        assert submission.state == "submitted"

    def test_incomplete_draft_cannot_be_submitted(self, call, event, author):
        submission = services.create_submission(
            event, author, content(author, breakthroughs="", breakthrough_scale=""))
        with pytest.raises(ValidationError) as info:
            services.submit(submission, author)
        assert "breakthroughs" in info.value.message_dict
        assert "breakthrough_scale" in info.value.message_dict
        submission.refresh_from_db()
        assert submission.state == "draft"

    def test_illegal_transitions_are_refused_readably(self, make_submission, author):
        submitted = make_submission(author=author, state="submitted")
        with pytest.raises(services.SubmissionError, match="“submitted” cannot become"):
            services.submit(submitted, author)
        with pytest.raises(services.SubmissionError, match="cannot become “confirmed"):
            services.confirm(submitted, author)
        withdrawn = make_submission(author=author, state="withdrawn")
        with pytest.raises(services.SubmissionError, match="“withdrawn” cannot become"):
            services.withdraw(withdrawn, author)
        rejected = make_submission(author=author, state="rejected")
        with pytest.raises(services.SubmissionError):
            services.confirm(rejected, author)

    def test_confirm_accepted_talk(self, make_submission, author, colleague):
        submission = make_submission(author=author, speakers=[author, colleague],
                                     state="accepted")
        services.confirm(submission, colleague)
        submission.refresh_from_db()
        assert submission.state == "confirmed"
        assert submission.transitions.last().by == colleague

    def test_withdraw_tells_organisers(self, make_submission, author, event,
                                       django_capture_on_commit_callbacks):
        submission = make_submission(author=author, state="confirmed")
        with django_capture_on_commit_callbacks(execute=True):
            services.withdraw(submission, author, note="Travel ban")
        submission.refresh_from_db()
        assert submission.state == "withdrawn"
        mail = OutboundEmail.objects.get(purpose="cfp_withdrawn")
        assert mail.to == event.contact_recipients
        assert "Travel ban" in mail.body and submission.title in mail.body

    def test_withdrawing_a_draft_sends_nothing(self, make_submission, author):
        submission = make_submission(author=author)
        services.withdraw(submission, author)
        assert not OutboundEmail.objects.filter(purpose="cfp_withdrawn").exists()

    def test_only_authors_and_speakers_act(self, make_submission, author, colleague, outsider,
                                           organiser):
        submission = make_submission(author=author, state="accepted")
        for person in (colleague, outsider, organiser):
            with pytest.raises(PermissionDenied):
                services.confirm(submission, person)
            with pytest.raises(PermissionDenied):
                services.withdraw(submission, person)
        submission.refresh_from_db()
        assert submission.state == "accepted"


@pytest.mark.django_db
class TestWhoMaySubmit:
    def test_reasons(self, call, event, make_participant, make_user, org_a, clock):
        verified = make_user(email_verified_at=paris(2027, 1, 1))
        assert services.submit_block_reason(event, verified) == "no_organisation"
        unverified = make_participant(org_a, verified=False)
        assert services.submit_block_reason(event, unverified) == "unverified"
        unregistered = make_participant(org_a, status=None)
        assert services.submit_block_reason(event, unregistered) == "not_registered"
        cancelled = make_participant(org_a, status="cancelled")
        assert services.submit_block_reason(event, cancelled) == "not_registered"
        waitlisted = make_participant(org_a, status="waitlisted")
        assert services.submit_block_reason(event, waitlisted) is None
        clock.set(paris(2027, 3, 1))
        assert services.submit_block_reason(event, waitlisted) == "not_yet_open"
        clock.set(paris(2027, 5, 24, 18, 0))
        assert services.submit_block_reason(event, waitlisted) == "closed"

    def test_closed_call_refuses_new_submissions(self, call, event, author, clock):
        clock.set(paris(2027, 5, 25))
        with pytest.raises(services.SubmissionError, match="closed"):
            services.create_submission(event, author, content(author))
        assert not Submission.objects.exists()


@pytest.mark.django_db
class TestDeadline:
    def test_edit_until_call_closes(self, make_submission, author, clock):
        submission = make_submission(author=author, state="submitted")
        services.update_submission(submission, author, content(author, title="Changed"))
        assert Submission.objects.get().title == "Changed"
        clock.set(paris(2027, 5, 24, 18, 0))
        with pytest.raises(services.DeadlinePassed, match="deadline for changes passed"):
            services.update_submission(submission, author, content(author, title="Late"))
        assert Submission.objects.get().title == "Changed"

    def test_extension_for_one_submission(self, make_submission, author, organiser, clock):
        extended = make_submission(author=author, state="submitted")
        other = make_submission(author=author, state="draft")
        services.extend_deadline(extended, organiser, paris(2027, 5, 26, 12, 0))
        clock.set(paris(2027, 5, 25, 9, 0))
        services.update_submission(extended, author, content(author, title="Extended"))
        assert Submission.objects.get(pk=extended.pk).title == "Extended"
        with pytest.raises(services.DeadlinePassed):
            services.update_submission(other, author, content(author, title="Nope"))
        with pytest.raises(services.DeadlinePassed):
            services.submit(other, author)
        clock.set(paris(2027, 5, 26, 12, 0))
        with pytest.raises(services.DeadlinePassed):
            services.update_submission(extended, author, content(author, title="Too late"))

    def test_extension_rules(self, make_submission, author, organiser, colleague):
        submission = make_submission(author=author)
        with pytest.raises(ValidationError):
            services.extend_deadline(submission, organiser, paris(2027, 5, 1))
        with pytest.raises(PermissionDenied):
            services.extend_deadline(submission, colleague, paris(2027, 6, 1))

    def test_accepted_content_is_frozen(self, make_submission, author):
        submission = make_submission(author=author, state="accepted")
        with pytest.raises(services.DeadlinePassed, match="“accepted”"):
            services.update_submission(submission, author, content(author, title="X"))


@pytest.mark.django_db
class TestValidation:
    @pytest.mark.parametrize("field,value", [
        ("title", "Bad\x00title"), ("title", "Evil\u202eeltit"), ("title", "Zero\u200bwidth"),
        ("title", "x" * 201), ("abstract", "y" * 1501), ("breakthroughs", "z" * 6001),
        ("challenges", "ok\u2066hidden"),
    ])
    def test_bad_text_writes_nothing(self, call, event, author, field, value):
        with pytest.raises(ValidationError) as info:
            services.create_submission(event, author, content(author, **{field: value}))
        assert field in info.value.message_dict
        assert not Submission.objects.exists()

    def test_speakers_from_another_organisation_are_refused(self, call, event, author,
                                                             outsider, make_participant,
                                                             org_a):
        unregistered = make_participant(org_a, status=None)
        for speakers in ([outsider], [author, unregistered], []):
            with pytest.raises(ValidationError) as info:
                services.create_submission(event, author, content(author, speakers=speakers))
            assert "speakers" in info.value.message_dict
        assert not Submission.objects.exists()

    @pytest.mark.parametrize("figure", [
        KeyFigureData("", decimal.Decimal("1"), "MA"),
        KeyFigureData("Current", decimal.Decimal("NaN"), "MA"),
        KeyFigureData("Current", decimal.Decimal("1e30"), "MA"),
        KeyFigureData("Current", decimal.Decimal("0.1234567"), "MA"),
        KeyFigureData("Cur\x00rent", decimal.Decimal("1"), "MA"),
        KeyFigureData("Current", decimal.Decimal("1"), "u" * 41),
    ])
    def test_invalid_key_figures_write_nothing(self, make_submission, author, figure):
        submission = make_submission(author=author, key_figures=[("Old", "1", "T")])
        with pytest.raises(ValidationError) as info:
            services.update_submission(submission, author,
                                       content(author, title="New", key_figures=[figure]))
        assert "key_figures" in info.value.message_dict
        submission.refresh_from_db()
        assert submission.title != "New"
        assert list(KeyFigure.objects.values_list("label", flat=True)) == ["Old"]

    def test_categories_of_another_event_are_refused(self, call, event, author, make_event):
        from fusionforum.cfp.categories import install_defaults

        foreign = install_defaults(make_event(slug="elsewhere", with_days=False))[0]
        with pytest.raises(ValidationError) as info:
            services.create_submission(event, author, content(
                author, challenge_categories=[foreign]))
        assert "challenge_categories" in info.value.message_dict

    def test_a_failure_late_in_the_save_rolls_everything_back(self, make_submission, author,
                                                             monkeypatch):
        submission = make_submission(author=author, key_figures=[("Old", "1", "T")])

        def boom(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(services.audit, "record", boom)
        with pytest.raises(RuntimeError):
            services.update_submission(submission, author, content(author, title="Half"))
        submission.refresh_from_db()
        assert submission.title != "Half"
        assert list(KeyFigure.objects.values_list("label", flat=True)) == ["Old"]


@pytest.mark.django_db
class TestOrganiserServices:
    def test_categories_add_rename_reorder_remove(self, call, event, organiser,
                                                  make_submission, author):
        from fusionforum.cfp.models import Category

        added = services.add_category(event, organiser, "Fuel pellets")
        assert list(Category.objects.filter(event=event))[-1] == added
        with pytest.raises(ValidationError):
            services.add_category(event, organiser, "fuel  pellets")
        services.move_category(added, organiser, "up")
        assert list(Category.objects.filter(event=event))[-2] == added
        services.rename_category(added, organiser, "Fuel pellets and injection")
        used = Category.objects.get(event=event, slug="financing")
        make_submission(author=author, help_categories=[used])
        with pytest.raises(services.SubmissionError, match="used by 1 answer"):
            services.delete_category(used, organiser)
        services.delete_category(added, organiser)
        assert not Category.objects.filter(pk=added.pk).exists()

    def test_duration_and_notes(self, make_submission, author, organiser):
        submission = make_submission(author=author)
        assert submission.effective_duration() == 20
        services.set_duration(submission, organiser, 35)
        services.set_internal_notes(submission, organiser, "Strong candidate")
        submission.refresh_from_db()
        assert (submission.effective_duration(), submission.internal_notes) == (
            35, "Strong candidate")
        with pytest.raises(ValidationError):
            services.set_duration(submission, organiser, 500)
        with pytest.raises(PermissionDenied):
            services.set_duration(submission, author, 10)

    def test_call_settings(self, event, organiser, make_user):
        call = services.save_call_settings(event, organiser, {
            "opens_at": paris(2027, 1, 1), "closes_at": paris(2027, 2, 1),
            "introduction": "Hi", "default_duration_minutes": 15, "max_slides_mb": 5,
            "reviews_per_submission": 2, "review_closes_at": None})
        assert call.closes_at == paris(2027, 2, 1)
        assert event.cfp_categories.count() == 14
        with pytest.raises(ValidationError):
            services.save_call_settings(event, organiser, {
                "opens_at": paris(2027, 3, 1), "closes_at": paris(2027, 2, 1)})
        with pytest.raises(PermissionDenied):
            services.save_call_settings(event, make_user(), {"introduction": "x"})


@pytest.mark.django_db
def test_personal_data_and_anonymisation(make_submission, author, event, png_bytes,
                                         django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fusionforum.accounts import personal_data

    submission = make_submission(author=author, state="submitted")
    profile = services.save_profile(event, author, bio="I build coils.",
                                    photo=SimpleUploadedFile("me.png", png_bytes(80, 80)))
    name = profile.photo.name
    assert profile.photo.storage.exists(name)
    data = personal_data.export(author)
    assert data["call_submissions"][0]["code"] == submission.code
    assert data["speaker_profiles"][0]["bio"] == "I build coils."
    with django_capture_on_commit_callbacks(execute=True):
        personal_data.anonymise(author)
    profile.refresh_from_db()
    assert profile.bio == "" and not profile.photo
    assert not profile.photo.storage.exists(name)


def test_demo_text_varies():
    from fusionforum.cfp import demo

    texts = [demo._compose(i, name, approach) for i, (name, _, approach)
             in enumerate(demo.COMPANIES)]
    assert len({t["breakthroughs"] for t in texts}) == len(texts)
    assert len({t["challenges"] for t in texts}) > 20
    assert all("(fictional)" in name for name, _, _ in demo.COMPANIES)


@pytest.mark.django_db
def test_demo_load_is_idempotent():
    from fusionforum.cfp import demo
    from fusionforum.events import demo as event_demo
    from fusionforum.registration import demo as registration_demo

    event = event_demo.load_demo()
    registration_demo.load(event)
    demo.load(event)
    assert "(kept)" in demo.load(event)
    submissions = Submission.objects.filter(event=event)
    assert submissions.count() == 30
    assert event.call_settings.closes_at < dt.datetime.combine(
        event.start_date, dt.time(), tzinfo=event.tz)
    assert {s.organisation.kind for s in submissions} == {"private_developer"}
    assert len({s.organisation.fusion_approach for s in submissions}) == 9
    assert submissions.filter(challenges_visibility="confidential").exists()
    assert submissions.filter(iter_help_visibility="aggregate").exists()
    for s in submissions:
        for link in s.speaker_links.select_related("user"):
            assert services.active_registration(event, link.user).organisation == s.organisation
