"""The shared ``{{ placeholder }}`` syntax of the organiser-editable e-mails and its editor
(``notifications.placeholders``), used by the registration e-mails and the call's e-mails."""

import ast
import inspect

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory

from fusionforum.cfp import emails as cfp_emails
from fusionforum.core.models import AuditEntry
from fusionforum.notifications import placeholders
from fusionforum.registration import emails as registration_emails
from fusionforum.registration.models import EmailTemplate


class Kind(placeholders.EmailKind):
    common = ("first_name", "event_title")


HELLO = Kind("hello", "Hello", "{{ event_title }}: hello", "Dear {{ first_name }},\n",
             ("link",))
KINDS = placeholders.by_key(HELLO)


def request(method="get", data=None):
    made = getattr(RequestFactory(), method)("/", data or {})
    made._messages = CookieStorage(made)
    return made


def texts(made) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(made)]


# The syntax -----------------------------------------------------------------------------------


def test_kind_offers_its_apps_common_placeholders_then_its_own():
    assert HELLO.placeholders == ("first_name", "event_title", "link")
    assert placeholders.EmailKind("k", "K", "s", "b", ("x",)).placeholders == ("x",)
    with pytest.raises(AttributeError):
        HELLO.key = "other"  # frozen
    other = Kind("other", "Other", "s", "b")
    assert list(placeholders.by_key(other, HELLO).items()) == [("other", other),
                                                               ("hello", HELLO)]


def test_fill_is_one_pass_of_plain_substitution():
    values = {"first_name": "{{ event_title }}", "event_title": "Workshop"}
    assert placeholders.fill("Hi {{first_name}} at {{  event_title }}", values) == (
        "Hi {{ event_title }} at Workshop")  # a value is inserted as text, never expanded
    assert placeholders.fill("Missing: [{{ link }}]", values) == "Missing: []"
    assert placeholders.fill("{{ Upper }} {% if %}", values) == "{{ Upper }} {% if %}"


def test_render_puts_the_subject_on_one_line():
    subject, body = placeholders.render("{{ a }}  and\n{{ b }}", "{{ a }}\n\n{{ b }}\n",
                                        {"a": "One\nline", "b": "two"})
    assert subject == "One line and two"
    assert body == "One\nline\n\ntwo\n"


def test_valid_template_passes():
    placeholders.validate_template(HELLO, "{{ event_title }}", "{{first_name}} {{ link }}")


@pytest.mark.parametrize(("subject", "body", "errors"), [
    ("{{ password }}", "ok", {"subject": ["Unknown placeholder: {{ password }}. Allowed: "
                                          "{{ first_name }}, {{ event_title }}, {{ link }}."]}),
    ("ok", "{{ b }} {{ a }} {{ a }}", {"body": ["Unknown placeholders: {{ a }}, {{ b }}. "
                                                "Allowed: {{ first_name }}, {{ event_title }}, "
                                                "{{ link }}."]}),
    ("ok", "{% debug %}", {"body": ["Only {{ placeholder }} is allowed; remove the other "
                                    "braces."]}),
    ("ok", "{{ first_name.password }}", {"body": ["Only {{ placeholder }} is allowed; remove "
                                                  "the other braces."]}),
    ("{{ link }} }}", "{{ link }}", {"subject": ["Only {{ placeholder }} is allowed; remove "
                                                 "the other braces."]}),
    ("Two\nlines", "ok", {"subject": ["The subject must be one line."]}),
    ("Two\rlines {{ nope }}", "{%", {"subject": ["The subject must be one line."],
                                     "body": ["Only {{ placeholder }} is allowed; remove the "
                                              "other braces."]}),
])
def test_invalid_templates_are_refused_with_clear_messages(subject, body, errors):
    with pytest.raises(ValidationError) as caught:
        placeholders.validate_template(HELLO, subject, body)
    assert caught.value.message_dict == errors


def test_unknown_kind():
    assert placeholders.kind_for(KINDS, "hello") is HELLO
    with pytest.raises(ValidationError) as caught:
        placeholders.kind_for(KINDS, "password-reset")
    assert caught.value.message_dict == {"key": ["Unknown e-mail “password-reset”."]}
    assert placeholders.kind_or_404(KINDS, "hello") is HELLO
    with pytest.raises(Http404):
        placeholders.kind_or_404(KINDS, "password-reset")


# The apps use it ------------------------------------------------------------------------------


def test_the_module_sits_below_the_apps():
    tree = ast.parse(inspect.getsource(placeholders))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert not {m for m in imported if m and m.startswith(("fusionforum.registration",
                                                           "fusionforum.cfp"))}


@pytest.mark.parametrize("app", [registration_emails, cfp_emails])
def test_both_apps_share_the_syntax_and_keep_their_names(app):
    assert app.fill is placeholders.fill
    assert app.PLACEHOLDER is placeholders.PLACEHOLDER
    assert app.ANY_BRACES is placeholders.ANY_BRACES
    for kind in app.KINDS.values():
        assert isinstance(kind, placeholders.EmailKind)
        assert kind.placeholders[:len(app.COMMON)] == app.COMMON
        app.validate_template(kind.key, kind.subject, kind.body)  # the defaults are valid
    with pytest.raises(ValidationError) as caught:
        app.validate_template("password-reset", "s", "b")
    assert caught.value.message_dict == {"key": ["Unknown e-mail “password-reset”."]}
    key = next(iter(app.KINDS))
    with pytest.raises(ValidationError) as caught:
        app.validate_template(key, "{{ secret_key }}", "b")
    assert caught.value.message_dict["subject"][0].startswith(
        "Unknown placeholder: {{ secret_key }}. Allowed: {{ first_name }}, ")


# The editor -----------------------------------------------------------------------------------


def test_form_checks_characters_then_the_allow_list():
    form = placeholders.EmailTemplateForm(
        {"subject": "  {{ event_title }}  ", "body": "Hi\r\n{{ link }}\r"}, kind=HELLO)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"subject": "{{ event_title }}", "body": "Hi\n{{ link }}\n"}

    form = placeholders.EmailTemplateForm({"subject": "A\u202eB", "body": "  \r\n"},
                                          kind=HELLO)
    assert not form.is_valid()
    assert form.errors["subject"] == [
        "Remove the text-direction controls (U+202E RIGHT-TO-LEFT OVERRIDE): they make the "
        "text read differently from what it is."]
    assert form.errors["body"] == ["Write the e-mail's text."]
    assert form.fields["body"].widget.attrs["aria-invalid"] == "true"

    form = placeholders.EmailTemplateForm({"subject": "{{ nope }}", "body": "{% x %}"},
                                          kind=HELLO)
    assert not form.is_valid()  # the messages go to the field they are about
    assert form.errors == {
        "subject": ["Unknown placeholder: {{ nope }}. Allowed: {{ first_name }}, "
                    "{{ event_title }}, {{ link }}."],
        "body": ["Only {{ placeholder }} is allowed; remove the other braces."]}


def _edit(made, saved=None, fail=None):
    def save(subject, body):
        if fail:
            raise ValidationError(fail)
        saved.append((subject, body))

    return placeholders.edit(made, HELLO, current=lambda: (HELLO.subject, HELLO.body),
                             sample=lambda: {"first_name": "Alex", "event_title": "Demo"},
                             save=save)


def test_edit_shows_the_current_text_and_its_preview():
    made = request()
    editing = _edit(made)
    assert (editing.status, editing.saved, editing.previewing) == (200, False, False)
    assert editing.form.initial == {"subject": HELLO.subject, "body": HELLO.body}
    assert editing.preview == ("Demo: hello", "Dear Alex,\n")
    assert editing.context() == {"form": editing.form, "preview": editing.preview,
                                 "previewing": False}


def test_edit_previews_posted_text_without_saving():
    saved = []
    made = request("post", {"subject": "Hi {{ first_name }}", "body": "{{ event_title }}",
                            "action": "preview"})
    editing = _edit(made, saved)
    assert (editing.status, editing.saved, editing.previewing) == (200, False, True)
    assert editing.preview == ("Hi Alex", "Demo")
    assert saved == [] and texts(made) == []


def test_edit_saves_and_says_so():
    saved = []
    made = request("post", {"subject": "Hi", "body": "Text\r\n", "action": "save"})
    editing = _edit(made, saved)
    assert (editing.status, editing.saved, editing.preview) == (200, True, None)
    assert saved == [("Hi", "Text\n")]
    assert texts(made) == [("success", "“Hello” saved.")]


@pytest.mark.parametrize(("data", "fail"), [
    ({"subject": "Hi", "body": "{{ nope }}", "action": "save"}, None),
    ({"subject": "Hi", "body": "", "action": "preview"}, None),
    ({"subject": "Hi", "body": "Text"}, {"subject": "Taken."}),
])
def test_edit_refuses_bad_input_with_400_and_saves_nothing(data, fail):
    saved = []
    made = request("post", data)
    editing = _edit(made, saved, fail)
    assert (editing.status, editing.saved, editing.preview, editing.previewing) == (
        400, False, None, False)
    assert saved == [] and texts(made) == []
    assert editing.form.errors
    if fail:
        assert editing.form.errors["subject"] == ["Taken."]


def test_announce_reset():
    made = request("post")
    placeholders.announce_reset(made, HELLO, True)
    placeholders.announce_reset(made, HELLO, False)
    assert texts(made) == [("success", "“Hello” is back to the default text."),
                           ("info", "“Hello” already uses the default text.")]


@pytest.mark.django_db
def test_save_and_reset_the_organisers_version(event, organiser):
    kind = registration_emails.KINDS["confirmed"]
    assert placeholders.rows(registration_emails.KINDS, EmailTemplate.objects.none())[0] == {
        "kind": registration_emails.KINDS["pending"], "custom": None,
        "versions": [{"code": "en", "name": "English", "custom": None},
                     {"code": "fr", "name": "French", "custom": None}]}
    with pytest.raises(ValidationError):
        placeholders.save_custom(EmailTemplate, event, kind, subject="{{ nope }}", body="b",
                                 by=organiser, audit_prefix="registration")
    assert not EmailTemplate.objects.exists() and not AuditEntry.objects.exists()

    first = placeholders.save_custom(EmailTemplate, event, kind, subject="S", body="B",
                                     by=organiser, audit_prefix="registration")
    again = placeholders.save_custom(EmailTemplate, event, kind, subject="S2", body="B2",
                                     by=organiser, audit_prefix="registration")
    assert first.pk == again.pk
    assert EmailTemplate.objects.values_list("key", "subject", "body").get() == (
        "confirmed", "S2", "B2")
    rows = placeholders.rows(registration_emails.KINDS, EmailTemplate.objects.all())
    assert [r["kind"].key for r in rows] == list(registration_emails.KINDS)
    assert [r["custom"] for r in rows if r["custom"]] == [again]

    assert placeholders.reset_custom(EmailTemplate, event, "confirmed", by=organiser,
                                     audit_prefix="registration") is True
    assert placeholders.reset_custom(EmailTemplate, event, "confirmed", by=organiser,
                                     audit_prefix="registration") is False
    assert not EmailTemplate.objects.exists()
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "summary")) == [
        ("registration.email_template_saved", "Customised e-mail “confirmed” (en)"),
        ("registration.email_template_saved", "Edited e-mail “confirmed” (en)"),
        ("registration.email_template_reset", "E-mail “confirmed” (en) reset to the default"),
    ]


def test_include_renders_the_editor_and_an_optional_note(rf):
    form = placeholders.EmailTemplateForm(initial={"subject": "S", "body": "B"}, kind=HELLO)
    context = {"kind": HELLO, "form": form, "custom": None, "preview": ("Subj", "Body <b>"),
               "previewing": False, "reset_url": "/reset/"}
    html = render_to_string("includes/email_template_editor.html", context, request=rf.get("/"))
    assert "This e-mail uses the default text." in html
    assert "<h3>Subject: Subj</h3>" in html and "<pre>Body &lt;b&gt;</pre>" in html
    assert "<code>{{ link }}</code>" in html
    assert 'id="id_subject-help"' in html and 'aria-describedby="id_subject-help"' in html
    assert "/reset/" not in html  # nothing to reset
    assert "reviewer_comments" not in html

    html = render_to_string("includes/email_template_editor.html", {
        **context, "custom": EmailTemplate(subject="S", body="B"),
        "placeholders_note": "cfp/review/_email_placeholders_note.html"}, request=rf.get("/"))
    assert "This e-mail uses your text" in html
    assert 'action="/reset/"' in html
    assert ("allowed. <code>{{ reviewer_comments }}</code> stays empty unless you choose to "
            "include the reviewers' comments when deciding.</p>") in html
