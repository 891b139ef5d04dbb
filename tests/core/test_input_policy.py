"""The one input policy (``core.text``): line breaks, refused and allowed characters; and an
audit that every text field of the product's forms and models is under it."""

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

import fusionforum
from fusionforum.core.forms import TextPolicyMixin, has_text_policy
from fusionforum.core.languages import validate_language_code
from fusionforum.core.text import (
    POLICY_VALIDATORS,
    clean_multiline,
    normalise_newlines,
    strip_refused,
    text_problems,
    validate_multiline,
    validate_single_line,
)

ALLOWED = [
    "می\u200cخواهم",                 # Persian: ZWNJ inside a word
    "क्\u200dष",                      # Hindi conjunct with ZWJ
    "അവന്\u200dറെ",                  # Malayalam chillu (old encoding) inside a word
    "👩\u200d🔬", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "🧑🏽\u200d💻",
    "ภาษา\u200bไทย",                 # Thai: zero-width space as a word-break hint
    "Zoë O’Brien-Łukasiewicz", "Ĳsselmeer Ⅻ", "עברית\u200fABC",
    "tab\tinside",
]
REFUSED = [
    ("Null\x00Byte", "control characters (U+0000 NULL)"),
    ("Bell\x07", "control characters"),
    ("Del\x7f", "U+007F DELETE"),
    ("C1\x85", "U+0085"),
    ("Evil\u202eCorp", "text-direction controls (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("Isolate\u2066x\u2069", "text-direction controls"),
    ("\u200bAda", "at the start or end (U+200B ZERO WIDTH SPACE)"),
    ("Ada\u2060", "at the start or end (U+2060 WORD JOINER)"),
    ("\u200dAda", "at the start or end"),
    ("Joiner\u200dCo", "join or separate nothing here (U+200D ZERO WIDTH JOINER)"),
    ("Zero\u200bWidth", "join or separate nothing here (U+200B"),
    ("a \u200c b", "join or separate nothing here (U+200C"),
    ("Bom\ufeffInside", "U+FEFF BYTE ORDER MARK"),
    ("Lone\ud800", "unpaired surrogate"),
]


@pytest.mark.parametrize("value", ALLOWED)
def test_what_scripts_and_emoji_need_is_allowed(value):
    validate_single_line(value)
    validate_multiline(value)
    assert strip_refused(value) == value


@pytest.mark.parametrize("value, words", REFUSED)
def test_what_misleads_is_refused_in_words(value, words):
    for check in (validate_single_line, validate_multiline):
        with pytest.raises(ValidationError) as refused:
            check(value)
        assert any(words in message for message in refused.value.messages), refused.value
    assert not text_problems(strip_refused(value, multiline=True), multiline=True)


@pytest.mark.parametrize("value", ["one\r\ntwo", "one\rtwo", "one\ntwo", "one\u2028two"])
def test_line_breaks_mean_lf_and_single_lines_refuse_them(value):
    assert normalise_newlines(value) == "one\ntwo"
    assert clean_multiline(value) == "one\ntwo"
    validate_multiline(value)
    with pytest.raises(ValidationError, match="must fit on one line"):
        validate_single_line(value)
    assert strip_refused(value) == "one two"


def test_every_post_body_reaches_views_with_lf(client):
    from django.test import RequestFactory

    from fusionforum.core.middleware import normalise_line_breaks

    seen = {}

    def view(request):
        seen.update({k: request.POST.getlist(k) for k in request.POST})
        return None

    request = RequestFactory().post("/", {"a": "x\r\ny\rz", "b": ["1\r\n", "2"]})
    normalise_line_breaks(view)(request)
    assert seen == {"a": ["x\ny\nz"], "b": ["1\n", "2"]}


@pytest.mark.django_db
def test_stored_text_has_lf_whatever_the_path(make_event):
    event = make_event(description="Line one\r\nline two\rline three")
    event.refresh_from_db()
    assert event.description == "Line one\nline two\nline three"


def test_forms_bound_to_other_data_are_normalised_and_checked():
    class Sample(TextPolicyMixin, forms.Form):
        name = forms.CharField()
        text = forms.CharField(widget=forms.Textarea)

    form = Sample({"name": "Ada", "text": "a\r\nb"})
    assert form.is_valid() and form.cleaned_data["text"] == "a\nb"
    form = Sample({"name": "Ada\r\nBcc: x@x.invalid", "text": "a"})
    assert not form.is_valid()
    assert "must fit on one line" in form.errors["name"][0]


# -- the audit --------------------------------------------------------------------------------

def _project_modules():
    for info in pkgutil.walk_packages(fusionforum.__path__, "fusionforum."):
        if ".migrations" in info.name or ".settings" in info.name or info.name.endswith(
                ("wsgi", "__main__")) or ".scheduling" in info.name:
            continue
        yield importlib.import_module(info.name)


def _project_forms():
    found = {}
    for module in _project_modules():
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, forms.BaseForm)
                    and value.__module__.startswith("fusionforum.")):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_text_field_of_every_form_is_under_the_policy():
    """A form either uses the policy mixin (``AccessibleFormMixin`` or ``TextPolicyMixin``,
    which put every text field under it) or names a policy validator on each text field."""
    project_forms = _project_forms()
    assert len(project_forms) > 50
    missing = []
    for name, form_class in project_forms.items():
        if issubclass(form_class, TextPolicyMixin):
            continue
        for field_name, field in form_class.base_fields.items():
            if (isinstance(field, forms.CharField) and not has_text_policy(field)
                    and not isinstance(field.widget, forms.PasswordInput)
                    and not isinstance(field, (forms.EmailField, forms.URLField))):
                missing.append(f"{name}.{field_name}")
    assert not missing, f"text fields outside the input policy: {missing}"


# Text columns without a policy validator on the model, and why that is right. A new text
# column must carry validate_single_line / validate_multiline, or be added here with the reason.
WRITTEN_BY_CODE = "written by the code, never typed"
CHECKED_BY_FORM = "typed only through a form under the policy (mixin or named validator)"
CHECKED_BY_SERVICE = "the service that writes it checks it under the policy"
UNTYPED_COLUMNS = {
    "core.AuditEntry": ("action", "object_type", "object_id", "summary", WRITTEN_BY_CODE),
    "core.RateLimitWindow": ("scope", "key", WRITTEN_BY_CODE),
    # A token's random prefix and the SHA-256 of the token: made by api.services.
    "api.ApiToken": ("prefix", "token_hash", WRITTEN_BY_CODE),
    "accounts.Organisation": ("name", CHECKED_BY_FORM),
    "accounts.MergedOrganisation": ("former_name", WRITTEN_BY_CODE),
    "accounts.User": ("password", "full_name", CHECKED_BY_FORM),
    "notifications.OutboundEmail": ("subject", "body", "purpose", "related_type", "related_id",
                                    "last_error", WRITTEN_BY_CODE),
    "events.Event": ("title", "tagline", "time_zone", "venue_name", "venue_address",
                     "description", "contact_emails", CHECKED_BY_FORM),
    "events.Day": ("label", "summary", CHECKED_BY_FORM),
    "events.StreamLink": ("label", CHECKED_BY_FORM),
    "events.CalendarRevision": ("uid", "language", "digest", WRITTEN_BY_CODE),
    "events.ContactMessage": ("name", "organisation", "message", "internal_note",
                              CHECKED_BY_SERVICE),
    "registration.Question": ("label", "help_text", CHECKED_BY_FORM),
    "registration.Registration": ("seat_pool", "badge_nonce", WRITTEN_BY_CODE),
    "registration.RegistrationTransition": ("from_status", "note", CHECKED_BY_SERVICE),
    "registration.EmailTemplate": ("key", "language", "subject", "body", CHECKED_BY_SERVICE),
    # The SHA-256 of a visa letter's facts and its random verification code.
    "registration.VisaLetter": ("digest", "code", WRITTEN_BY_CODE),
    "cfp.CallSettings": ("introduction", CHECKED_BY_SERVICE),
    "cfp.Category": ("name", CHECKED_BY_SERVICE),
    "cfp.Submission": ("code", "title", "abstract", "breakthroughs", "challenges", "iter_help",
                       "internal_notes", "language", CHECKED_BY_SERVICE),
    "cfp.KeyFigure": ("label", "unit", CHECKED_BY_SERVICE),
    "cfp.SpeakerProfile": ("code", "bio", "name", "honorific", "affiliation", "source_id",
                           CHECKED_BY_SERVICE),  # imported people: imports/base.clean_line
    "cfp.ProfileInvitation": ("token_hash", WRITTEN_BY_CODE),
    "cfp.SubmissionTransition": ("note", CHECKED_BY_SERVICE),
    "cfp.ScoreCategory": ("name", "description", CHECKED_BY_SERVICE),
    "cfp.ReviewerConflict": ("reason", CHECKED_BY_FORM),
    "cfp.Review": ("comment_to_organisers", "comment_to_speaker", CHECKED_BY_SERVICE),
    "cfp.CfpEmailTemplate": ("key", "subject", "body", CHECKED_BY_SERVICE),
    "programme.Room": ("name", "description", CHECKED_BY_SERVICE),
    "programme.ProgrammeSession": ("title", "description", "source_id", "source_code",
                                   "source_track", CHECKED_BY_SERVICE),
    "programme.ItemToPlace": ("title", "description", "room_name", "source_id", "source_code",
                              CHECKED_BY_SERVICE),  # written by the import (imports/base)
    "programme.Release": ("comment", CHECKED_BY_FORM),
    "programme.AgendaFeed": ("token", WRITTEN_BY_CODE),
    "programme.StarredTalk": ("talk_code", WRITTEN_BY_CODE),
    "vault.VaultSettings": ("instructions", CHECKED_BY_FORM),
    "vault.AccessRecord": ("sealed", "reason", CHECKED_BY_FORM),
    "vault.AccessLogEntry": ("detail", WRITTEN_BY_CODE),
    "vault.ExportToken": ("token_hash", WRITTEN_BY_CODE),
    "visits.Seat": ("source", WRITTEN_BY_CODE),
    "visits.SeatTransition": ("from_status", "to_status", "note", WRITTEN_BY_CODE),
    "events.EventTransition": ("from_status", "to_status", "note", WRITTEN_BY_CODE),
    "meetings.MeetingRequest": ("discipline", "discipline2", CHECKED_BY_FORM),
    "meetings.ScheduleRun": ("error", WRITTEN_BY_CODE),
    "meetings.MeetingFeed": ("token", WRITTEN_BY_CODE),
    "outcomes.ThemeSource": ("visibility", WRITTEN_BY_CODE),
    "webhooks.Endpoint": ("disabled_reason", "secret", "previous_secret", WRITTEN_BY_CODE),
    "webhooks.Message": ("webhook_id", "event_type", "object_key", "body", WRITTEN_BY_CODE),
    "webhooks.Attempt": ("error", "response_excerpt", WRITTEN_BY_CODE),
    # What the identity provider asserted (its subject identifier) and digests of used tokens.
    "sso.Link": ("subject", WRITTEN_BY_CODE),
    "sso.UsedToken": ("digest", WRITTEN_BY_CODE),
    "sso.ProviderDevice": ("name", WRITTEN_BY_CODE),  # the provider's label
    # The secret of a "My workshop" calendar address: made by personal.models.new_token.
    "personal.PersonalFeed": ("token", WRITTEN_BY_CODE),
}


def test_every_text_column_is_under_the_policy_or_explained():
    listed = {(label, name) for label, (*names, _reason) in UNTYPED_COLUMNS.items()
              for name in names}
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("fusionforum."):
            continue
        for field in model._meta.concrete_fields:
            if (not isinstance(field, (models.CharField, models.TextField)) or field.choices
                    or isinstance(field, (models.EmailField, models.URLField, models.SlugField))
                    or any(v in POLICY_VALIDATORS for v in field.validators)
                    # A language code: only one of settings.LANGUAGES passes, stricter still.
                    or validate_language_code in field.validators):
                continue
            # A per-language column (title_en, title_fr: core/translated_fields.py) is
            # explained by its field's entry.
            name = getattr(getattr(field, "translated_field", None), "name", field.name)
            if (model._meta.label, name) not in listed:
                missing.append(f"{model._meta.label}.{field.name}")
    assert not missing, (f"text columns neither under the input policy nor listed with a "
                         f"reason: {missing}")


def test_every_back_office_form_is_under_the_policy():
    from fusionforum.admin import site

    assert site._registry
    for model, model_admin in site._registry.items():
        assert issubclass(model_admin.form, TextPolicyMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline.form, TextPolicyMixin), (model, inline)


@pytest.mark.parametrize("value", ["A\r\nB", "A\nB", "A\x00B", "A\u202eB"])
def test_text_read_straight_from_a_post_body_is_checked_by_the_service(value, make_event,
                                                                       make_user):
    """Services that take text from ``request.POST`` themselves check it before folding
    spaces, so a line break is refused, not quietly folded, and a NUL never reaches the
    database (PostgreSQL refuses it with a 5xx)."""
    from fusionforum.cfp import review
    from fusionforum.events.models import TeamMembership
    from fusionforum.outcomes import services as outcomes

    event = make_event()
    organiser = make_user("organiser@test.invalid")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    policy = ("must fit on one line", "control characters", "text-direction")
    for attempt in (
        lambda: outcomes.publish(event, by=organiser, comment=value),
        lambda: outcomes.withdraw(event, 1, by=organiser, reason=value),
        lambda: review.save_score_category(event, by=organiser, name=value, description="",
                                           weight=1, max_score=5, position=0),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert any(words in " ".join(refused.value.messages) for words in policy)
