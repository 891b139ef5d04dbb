"""Why a signed-in person cannot use a participants' page yet, in words, and what they can do.

The meetings day and the site visits are for confirmed participants. Their pages (reached from
the menu) explain to everyone else where they stand (registration pending, waiting list, seat
offered, cancelled, not registered) with a link to their registration, and point staff (team
roles) to their own tools, instead of answering a bare 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from fusionforum.events.models import TeamMembership

from .models import Registration, RegistrationSettings
from .states import Status


@dataclass
class Standing:
    registration: Registration | None
    # One sentence on the person's registration; empty when confirmed.
    reason: str
    # (label, url) of what they can do about it.
    action: tuple[str, str] | None
    # (label, url) of the tools of their team roles on the event.
    tools: list[tuple[str, str]] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return self.registration is not None and self.registration.status == Status.CONFIRMED


def _latest_registration(event, user) -> Registration | None:
    return (Registration.objects.filter(event=event, user=user)
            .select_related("organisation").order_by("-submitted_at", "-id").first())


def _leads() -> dict[str, str]:
    # Whole sentences, one per page: a fragment such as "Site visits are" cannot be translated
    # on its own (gender and agreement of the rest of the sentence depend on it).
    return {
        "meetings": _("Meetings with experts are for participants with a confirmed "
                      "registration"),
        "visits": _("Site visits are for participants with a confirmed registration"),
        "meetings_and_visits": _("Meetings with experts and site visits are for participants "
                                 "with a confirmed registration"),
    }


def standing(event, user, *, purpose: str) -> Standing:
    """``purpose``: which participants' page asks, "meetings", "visits" or
    "meetings_and_visits" (the personal schedule); it names the
    sentence that starts the reason ("Site visits are for participants with a confirmed
    registration; yours is pending approval…")."""
    registration = _latest_registration(event, user)
    mine = reverse("registration:mine", args=[event.slug])
    status = registration.status if registration is not None else ""
    lead = _leads()[purpose]
    if status == Status.CONFIRMED:
        reason, action = "", None
    elif status == Status.PENDING:
        reason = _("%(lead)s; yours is pending approval by the organisers. We e-mail you when "
                   "it is decided.") % {"lead": lead}
        action = (_("See your registration"), mine)
    elif status == Status.WAITLISTED:
        reason = _("%(lead)s; you are on the waiting list. If a seat frees up, we offer it to "
                   "you by e-mail.") % {"lead": lead}
        action = (_("See your place on the waiting list"), mine)
    elif status == Status.OFFERED:
        reason = _("%(lead)s; a seat is offered to you: accept it to take part.") % {
            "lead": lead}
        action = (_("Accept your seat"), mine)
    elif status in (Status.CANCELLED, Status.REJECTED, Status.EXPIRED):
        ended = {
            Status.CANCELLED: _("%(lead)s; your registration is cancelled."),
            Status.REJECTED: _("%(lead)s; your registration was not accepted."),
            Status.EXPIRED: _("%(lead)s; the seat offered to you has expired."),
        }
        reason = ended[status] % {"lead": lead}
        action = (_("Your registration"), mine)
    else:
        reason = _("%(lead)s; you are not registered for this event.") % {"lead": lead}
        action = (_("Register"), mine)
    roles = set(TeamMembership.objects.filter(event=event, user=user)
                .values_list("role", flat=True))
    tools = []
    if TeamMembership.Role.ORGANISER in roles:
        tools.append((_("Organisers' tools"), reverse("staff_home")))
    if TeamMembership.Role.REVIEWER in roles:
        tools.append((_("Your reviews"), reverse("review:home", args=[event.slug])))
    if TeamMembership.Role.SECURITY_OFFICER in roles:
        tools.append((_("The security office"),
                      reverse("vault_security:overview", args=[event.slug])))
    if tools and not registration:
        # Staff who are not participants: their role is the point, not a registration.
        reason = _("%(lead)s. You take part in this event as a member of its team.") % {
            "lead": lead}
        action = None
    if action is not None and not RegistrationSettings.objects.filter(event=event).exists():
        action = None  # no registration page to send them to (it would be a 404)
    return Standing(registration=registration, reason=reason, action=action, tools=tools)
