"""Visa invitation letters: the participant's letter page and PDF, the public check of a
letter (for consulates) and the organisers' settings with the log of issued letters. The
rules are in ``registration.visa_letters``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from fusionforum.core.forms import posted_data
from fusionforum.core.languages import language_choices
from fusionforum.core.net import client_ip
from fusionforum.events import services as event_services
from fusionforum.events.access import gate, public_event

from .. import visa_letters
from ..forms import PassportNameForm, VisaLetterSettingsForm


def _check_url(request, event) -> str:
    return request.build_absolute_uri(reverse("registration:visa_check", args=[event.slug]))


@require_http_methods(["GET", "POST"])
@gate("registration.register", load=public_event)
def letter(request, event):
    standing = visa_letters.standing(event, request.user)
    form = None
    status = 200
    if standing.state == "ready":
        initial = {"passport_name": standing.registration.passport_name
                   or standing.registration.user.full_name}
        form = PassportNameForm(initial=initial)
        if request.method == "POST":
            form = PassportNameForm(posted_data(request))
            if form.is_valid():
                try:
                    _letter, new = visa_letters.issue(
                        standing.registration, by=request.user,
                        passport_name=form.cleaned_data["passport_name"])
                except ValidationError as exc:
                    form.add_error("passport_name", exc.message_dict.get("passport_name")
                                   if hasattr(exc, "error_dict") else exc.messages)
                except visa_letters.VisaLetterError as exc:
                    form.add_error(None, str(exc))
                else:
                    return redirect("registration:visa_letter_pdf", slug=event.slug)
            status = 400
    elif request.method == "POST":
        status = 403
    return render(request, "registration/visa_letter.html", {
        "event": event, "standing": standing, "form": form, "nav": "registration",
    }, status=status)


@require_safe
@gate("registration.get_visa_letter", load=public_event)
def letter_pdf(request, event):
    """The person's current letter; issued again first if the event's facts changed."""
    standing = visa_letters.standing(event, request.user)
    if standing.state != "ready" or not standing.registration.passport_name:
        raise Http404(_("You have no visa invitation letter for this event."))
    try:
        letter = visa_letters.download(standing.registration, by=request.user)
    except (visa_letters.VisaLetterError, ValidationError, PermissionDenied) as exc:
        raise Http404(_("You have no visa invitation letter for this event.")) from exc
    language = translation.get_language()
    content = visa_letters.render_pdf(letter, language=language,
                                      check_url=_check_url(request, event))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="visa-letter-{event.slug}-{letter.number}.pdf"')
    return response


@require_safe
def check(request, slug):
    """Public: a consulate enters a letter's number and code and learns whether it is valid."""
    event = event_services.public_event(slug, request.user)
    number = request.GET.get("number", "").strip()[:12]
    code = request.GET.get("code", "").strip()[:30]
    context = {"event": event, "number": number, "code": code, "asked": bool(number or code)}
    status = 200
    if context["asked"]:
        try:
            context["letter"] = visa_letters.check(event, number, code,
                                                   client=client_ip(request) or "unknown")
        except visa_letters.TooManyChecks as exc:
            context["too_many"] = True
            response = render(request, "registration/visa_check.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        if context["letter"] is None:
            status = 404
    response = render(request, "registration/visa_check.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@gate("registration.manage_visa_letters", second_factor=True)
@require_http_methods(["GET", "POST"])
def manage(request, event):
    current = visa_letters.letter_settings(event)
    languages = language_choices()
    # Each language's text as the letter reads today: the organisers' own, else the default.
    initial = {f"text_{code}": visa_letters.default_text(code) for code, _name in languages}
    if current is not None:
        initial.update({"question": current.question_id,
                        "signatory_name": current.signatory_name,
                        "signatory_title": current.signatory_title,
                        **{f"text_{code}": text for code, text in current.texts.items()}})
    form = VisaLetterSettingsForm(initial=initial, event=event, languages=languages)
    status = 200
    if request.method == "POST":
        form = VisaLetterSettingsForm(posted_data(request), event=event, languages=languages)
        if form.is_valid():
            try:
                visa_letters.save_settings(
                    event, by=request.user, question=form.cleaned_data["question"],
                    signatory_name=form.cleaned_data["signatory_name"],
                    signatory_title=form.cleaned_data["signatory_title"], texts=form.texts())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The visa letter settings are saved."))
                return redirect("registration:visa_letters", slug=event.slug)
        status = 400
    return render(request, "registration/visa_manage.html", {
        "event": event, "form": form, "letters": visa_letters.issued_letters(event)[:500],
        "placeholders": visa_letters.PLACEHOLDERS, "nav": "visa_letters",
    }, status=status)
