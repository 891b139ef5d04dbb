"""The participant's side of registration: register, see where they stand, cancel, accept an
offer, download their own badge; and the public participant list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.core import clock
from fusionforum.core.forms import posted_data
from fusionforum.events import services as event_services
from fusionforum.events.access import gate, nothing_here, public_event
from fusionforum.events.models import Event

from .. import services, visa_letters
from ..badges import pdf_response, render_badges
from ..capacity import RegistrationClosed
from ..forms import RegistrationForm, answers_for_display
from ..models import Registration
from ..states import ACTIVE, Status


def _event_and_settings(request, slug):
    event = event_services.public_event(slug, request.user,
                                        select_related=("registration_settings",))
    try:
        return event, services.registration_settings(event)
    except RegistrationClosed as exc:
        raise Http404(_("This event has no registration.")) from exc


def _registration_event(request, kwargs):
    return _event_and_settings(request, kwargs.pop("slug"))[0]


def _with_settings(request, event):
    return event, services.registration_settings(event)


def _signed_out(request, event):
    """A signed-out visitor reads what registering takes; sending the form needs the login."""
    if request.method == "POST":
        return None
    return render(request, "registration/anonymous.html",
                  {"event": event, "reg_settings": services.registration_settings(event),
                   "nav": "registration"})


@require_http_methods(["GET", "POST"])
@gate("registration.register", load=_registration_event, login_first=False,
      anonymous=_signed_out, private=False, passes=_with_settings)
def mine(request, event, reg_settings):
    # The form, the service and the status page all read the questions: load them once.
    prefetch_related_objects([event], "questions")
    if request.method == "POST":
        return _register(request, event, reg_settings)
    registration = services.active_registration(event, request.user)
    if registration is not None:
        return _status_page(request, event, registration)
    return _form_page(request, event, reg_settings, RegistrationForm(event=event))


def _register(request, event, reg_settings):
    """The form's POST. The service catches a person who is already registered (under the
    seat lock, by the database's unique index), so the way to a new registration reads
    nothing twice; a refused submission looks for an existing registration first."""
    form = RegistrationForm(posted_data(request), event=event)
    if form.is_valid():
        try:
            services.submit(
                event, request.user, organisation=request.user.organisation,
                answers=form.answers(),
                consent_public_list=form.cleaned_data["consent_public_list"],
            )
        except services.AlreadyRegistered:
            return _already_registered(request, event)
        except (services.RegistrationError, RegistrationClosed) as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect("registration:mine", slug=event.slug)
    if services.active_registration(event, request.user) is not None:
        return _already_registered(request, event)
    return _form_page(request, event, reg_settings, form, status=400)


def _already_registered(request, event):
    messages.info(request, _("You are already registered."))
    return redirect("registration:mine", slug=event.slug)


def _form_page(request, event, reg_settings, form, *, status=200):
    now = clock.now()
    context = {
        "event": event, "reg_settings": reg_settings, "form": form, "nav": "registration",
        "is_open": reg_settings.is_open_at(now),
        "not_yet_open": now < reg_settings.opens_at,
        "needs_verification": request.user.email_verified_at is None,
        "needs_organisation": request.user.organisation_id is None,
        "previous": Registration.objects.filter(event=event, user=request.user)
                    .exclude(status__in=services.ACTIVE_STATES)
                    .order_by("-submitted_at").first(),
    }
    with timezone.override(event.tz):
        return render(request, "registration/register.html", context, status=status)


def _status_page(request, event, registration):
    context = {
        "event": event, "registration": registration, "nav": "registration",
        "position": services.waitlist_position(registration),
        "visa_letter": visa_letters.asked_for_letter(registration,
                                                     visa_letters.letter_settings(event)),
        "answers": [(label, value) for label, value
                    in answers_for_display(list(event.questions.all()), registration) if value],
    }
    with timezone.override(event.tz):
        response = render(request, "registration/status.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _own_registration(request, event):
    registration = services.active_registration(event, request.user)
    if registration is None:
        raise Http404(_("You have no registration for this event."))
    return registration


# The person's own registration: signed out, there is none to act on (404, not the login).
own_registration = gate("registration.register", load=_registration_event, login_first=False,
                        anonymous=nothing_here, private=False)


@require_POST
@own_registration
def cancel(request, event):
    registration = _own_registration(request, event)
    try:
        services.cancel(registration, by=request.user)
    except Exception as exc:  # noqa: BLE001 - shown to the person, nothing was changed
        if not isinstance(exc, services.RegistrationError | services.IllegalTransition):
            raise
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("registration:mine", slug=event.slug)


@require_POST
@own_registration
def accept(request, event):
    registration = _own_registration(request, event)
    try:
        services.accept_offer(registration, by=request.user)
    except (services.RegistrationError, services.IllegalTransition) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your seat is confirmed."))
    return redirect("registration:mine", slug=event.slug)


@require_safe
def participants(request, slug):
    event, reg_settings = _event_and_settings(request, slug)
    if not reg_settings.public_list_enabled:
        raise Http404(_("This event does not publish its participant list."))
    groups = services.public_participants(event)
    return render(request, "registration/participants.html",
                  {"event": event, "groups": groups, "nav": "participants"})


def landing_for_participant(user) -> str | None:
    """After logging in, a participant starts on their page for the current or next event they
    are registered for (else the latest); someone not registered anywhere, on the registration
    page of the next event that takes registrations."""
    from django.urls import reverse

    today = timezone.localdate(clock.now())
    registrations = (Registration.objects.filter(user=user, status__in=ACTIVE,
                                                 event__in=Event.objects.published())
                     .select_related("event"))
    registration = (registrations.filter(event__end_date__gte=today)
                    .order_by("event__start_date").first()
                    or registrations.order_by("-event__start_date").first())
    if registration is not None:
        return reverse("registration:mine", args=[registration.event.slug])
    # The first of them that uses registration (the module switch is a JSON list: read here).
    event = next((e for e in Event.objects.published().filter(
        end_date__gte=today, registration_settings__isnull=False).order_by("start_date")
        if e.uses_registration), None)
    return reverse("registration:mine", args=[event.slug]) if event else None


@require_safe
@gate("registration.get_badge", load=public_event)
def badge_pdf(request, event):
    """The signed-in person's own badge, once their seat is confirmed; 404 for anyone else."""
    registration = (Registration.objects
                    .select_related("event", "user", "organisation")
                    .filter(event=event, user=request.user, status=Status.CONFIRMED).first())
    if registration is None:
        raise Http404(_("You have no confirmed registration for this event."))
    content = render_badges([registration], title=_("Badge · %(event)s") % {"event": event.title})
    return pdf_response(content, f"badge-{event.slug}.pdf")
