"""Who may do what with registrations."""

import rules

from fusionforum.events.rules import can_manage_event

from .models import Registration
from .states import Status


@rules.predicate
def holds_confirmed_seat(user, event):
    """The person's registration for the event is confirmed (a badge, the participant pages)."""
    if event is None or not user.is_authenticated:
        return False
    return Registration.objects.filter(event=event, user=user, status=Status.CONFIRMED).exists()


# Organisers' pages and services (object: the Event).
rules.add_perm("registration.manage_registrations", can_manage_event)
rules.add_perm("registration.check_in", can_manage_event)
# Participants' pages (object: the Event). Anyone signed in may register: whether the event
# takes the registration is the service's decision, told on the page.
rules.add_perm("registration.register", rules.is_authenticated)
rules.add_perm("registration.get_badge", holds_confirmed_seat)
for model in ("registration", "registrationsettings", "question", "emailtemplate",
              "reservedseats", "registrationtransition"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"registration.{action}_{model}", can_manage_event)

# Visa invitation letters: organisers configure them and see who got which number; a person
# downloads their own once confirmed (the service checks that they asked for one).
rules.add_perm("registration.manage_visa_letters", can_manage_event)
rules.add_perm("registration.get_visa_letter", holds_confirmed_seat)
for model in ("visaletter", "visalettersettings"):
    rules.add_perm(f"registration.view_{model}", can_manage_event)
