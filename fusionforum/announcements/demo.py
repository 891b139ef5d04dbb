"""Demo data (synthetic): reminders switched on and one announcement sent to the confirmed
participants, in English and French."""

from __future__ import annotations

import uuid

from fusionforum.accounts.models import User
from fusionforum.events.models import TeamMembership

from . import services
from .models import Announcement, Audience

DEMO_TOKEN = uuid.UUID("00000000-0000-4000-8000-00000000a770")


def load(event) -> str:
    organiser = (User.objects.filter(event_roles__event=event,
                                     event_roles__role=TeamMembership.Role.ORGANISER)
                 .order_by("pk").first())
    if organiser is None:
        return "Announcements: no organiser, nothing loaded."
    services.save_settings(event, by=organiser, site_access_due=True, site_access_days=3,
                           tour_tomorrow=True, meetings_tomorrow=True, livestream=True,
                           livestream_minutes=30, survey=True)
    if not Announcement.objects.filter(event=event, token=DEMO_TOKEN).exists():
        draft = services.Draft(audience=Audience.CONFIRMED, organisation_kind="", texts={
            "subject_en": "Practical information for the workshop (demo)",
            "body_en": ("Welcome to the **demo** workshop.\n\n"
                        "- Badges are printed at the front desk from 08:00.\n"
                        "- The site tours leave from the main entrance.\n\n"
                        "This announcement is synthetic demo data."),
            "subject_fr": "Informations pratiques pour l’atelier (démo)",
            "body_fr": ("Bienvenue à l’atelier de **démonstration**.\n\n"
                        "- Les badges sont imprimés à l’accueil dès 8 h.\n"
                        "- Les visites partent de l’entrée principale.\n\n"
                        "Cette annonce est une donnée de démonstration synthétique."),
        })
        services.send(event, draft, by=organiser, token=DEMO_TOKEN)
    return "Announcements: one sent to the confirmed participants; every reminder switched on."
