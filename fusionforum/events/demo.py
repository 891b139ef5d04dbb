"""The synthetic demo workshop. Every name, organisation and message here is fictional.

The dates follow the day the demo is loaded (day 1 is that day, in the event's time zone), so a
fresh demo always has one stream live and one to come. Loading twice on the same day gives the
same state; loading on a later day moves the workshop to that day.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from fusionforum.accounts.models import User
from fusionforum.core import clock
from fusionforum.core.translated_fields import TRANSLATED

from .demo_fr import FRENCH, in_french
from .models import (
    ContactMessage,
    Day,
    Event,
    EventCreator,
    EventSeries,
    EventStatus,
    Notice,
    StreamLink,
    TeamMembership,
)
from .states import LIFE_CYCLE as EVENT_LIFE_CYCLE

DEMO_SLUG = "demo-workshop"
DEMO_TZ = zoneinfo.ZoneInfo("Europe/Paris")
DEMO_PASSWORD = "demo-organiser-password"  # demo only; printed by load_demo, never in production


@functools.cache
def _demo_password_hash(hashers: tuple[str, ...]) -> str:
    return make_password(DEMO_PASSWORD)


def create_demo_user(email: str, *, superuser: bool = False, **fields) -> User:
    """A demo account with the published demo password. Every demo account has that same
    password, so it is hashed once per process instead of once per account: an Argon2 hash
    costs about a third of a second of CPU and the demo has some 70 accounts."""
    create = User.objects.create_superuser if superuser else User.objects.create_user
    user = create(email, None, **fields)
    user.password = _demo_password_hash(tuple(settings.PASSWORD_HASHERS))
    user.save(update_fields=["password"])
    return user


# Back-office accounts need a second factor. The demo gives its two staff accounts these
# single-use backup codes (refilled by every load_demo) so nobody needs an authenticator app
# to try it; a real organiser sets up TOTP on first login.
DEMO_BACKUP_CODES = [f"demo{n:04d}" for n in range(1, 11)]
# The demo people README.md names, each for what they demonstrate (the apps' loaders make it
# so; tests/core/test_readme_demo.py checks the README's claims against a loaded demo).
DEMO_PARTICIPANT = "ada.example@demo.fusionforum.invalid"  # confirmed: registration, badge, agenda
DEMO_VISITOR = "bo.example@demo.fusionforum.invalid"  # tour seats, site access approved
# Confirmed, and prefers French: her pages and the e-mails she receives are in French.
DEMO_FRENCH_PARTICIPANT = "cleo.example@demo.fusionforum.invalid"

DESCRIPTION = """\
**This is a demonstration workshop. All organisations, people and figures are fictional.**

The workshop brings together private fusion companies, suppliers, public laboratories and
agencies with the host organisation's experts. Companies present what they have achieved,
what stands in their way and how a large international project can help.

- **Days 1 and 2**: presentations and panels by approach (tokamak, stellarator, inertial and
  alternative concepts), suppliers, and codes and standards.
- **Day 3**: one-to-one meetings with in-house experts, and visits of the worksite.

The answers are distilled into an open report that other programmes can reuse.
"""

DAYS = [
    (0, "Day 1: breakthroughs and challenges",
     "Opening, company presentations and the tokamak and stellarator panels."),
    (1, "Day 2: supply chain, codes and standards",
     "Inertial and alternative concepts, suppliers, licensing and codes and standards."),
    (2, "Day 3: open doors",
     "Meetings with the experts, the main worksite tour and specialised tours."),
]

CONTACT_MESSAGES = [
    ("Alex Demoulin", "alex.demoulin@helion-demo.invalid", "Demo Plasma Ventures (fictional)",
     ContactMessage.Topic.REGISTRATION,
     "Can our company send a fourth delegate if one of the three cannot stay for day 3?"),
    ("Mira Testova", "mira.testova@stellar-demo.invalid", "Fictive Stellarator Works",
     ContactMessage.Topic.VISITS,
     "Is the cryogenics plant tour accessible to a colleague who uses a wheelchair?"),
    ("Sam Placeholder", "sam@press-demo.invalid", "Example Energy Weekly (fictional)",
     ContactMessage.Topic.PRESS,
     "May a journalist attend the opening session and the livestream press briefing?"),
]


def french_versions(event) -> str:
    """The last demo step: the French version of every translated field of the demo events
    (the French texts are in demo_fr.py; the translated fields in each app's translation.py,
    so this module imports no app above it)."""
    in_both = 0
    for model, fields in TRANSLATED.items():
        if model is Event:
            objects = model._base_manager.filter(is_demo=True)
        elif model is EventSeries:
            objects = model._base_manager.filter(events__is_demo=True).distinct()
        else:
            objects = model._base_manager.filter(event__is_demo=True)
        for obj in objects:
            changed = {}
            for name in fields:
                french = in_french(getattr(obj, f"{name}_en"))
                # A French version a loader already wrote (the outcomes report's) is kept; a
                # copy of the English (a column's default, e.g. the disciplines) is not one.
                current = getattr(obj, f"{name}_fr")
                if french is not None and current != french and (
                        not current or current == getattr(obj, f"{name}_en")):
                    changed[f"{name}_fr"] = french
            if changed:
                for column, value in changed.items():
                    setattr(obj, column, value)
                obj.save(update_fields=list(changed))
            in_both += sum(1 for name in fields if getattr(obj, f"{name}_fr"))
    return (f"French versions of the demo content: {in_both} texts in English and French "
            f"({len(FRENCH)} in demo_fr.py)")


# Apps above `events` add their part of the demo here (in their AppConfig.ready), so this
# module never imports them. Each loader gets the demo event and returns a short summary line.
# The French versions come last, once every loader has written its English content.
EXTRA_LOADERS: list = [french_versions]


def register_demo_loader(loader) -> None:
    if loader not in EXTRA_LOADERS:
        EXTRA_LOADERS.insert(EXTRA_LOADERS.index(french_versions), loader)


# Lines printed after every loader has run (e.g. the registration desk's figures, which the
# later loaders change by registering speakers).
EXTRA_SUMMARIES: list = []


def register_demo_summary(summary) -> None:
    if summary not in EXTRA_SUMMARIES:
        EXTRA_SUMMARIES.append(summary)


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=DEMO_TZ)


def _give_backup_codes(user) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Demo backup codes", defaults={"confirmed": True})
    device.throttle_reset()
    device.token_set.all().delete()
    for code in DEMO_BACKUP_CODES:
        device.token_set.create(token=code)


@transaction.atomic
def load_demo(today: dt.date | None = None) -> Event:
    today = today or clock.now().astimezone(DEMO_TZ).date()
    archived = Event.objects.filter(slug=DEMO_SLUG, status=EventStatus.ARCHIVED).first()
    if archived is not None:
        # Someone archived the demo (it is read-only): reopen it so it can be reloaded.
        EVENT_LIFE_CYCLE.move(archived, EventStatus.PUBLISHED, note="The demo is reloaded")
    event, _ = Event.objects.update_or_create(
        slug=DEMO_SLUG,
        defaults={
            "title": "Fusion Forum Demo Workshop",
            "tagline": "Private fusion companies and a large fusion project, three days together "
                       "(synthetic demonstration data)",
            "start_date": today,
            "end_date": today + dt.timedelta(days=2),
            "time_zone": "Europe/Paris",
            "venue_name": "Demo Fusion Campus, Headquarters building (fictional)",
            "venue_address": "1 Route de l'Exemple\n13000 Demoville\nFrance",
            "map_url": "",
            "latitude": Decimal("43.708000"),
            "longitude": Decimal("5.776000"),
            "description": DESCRIPTION,
            "contact_emails": "organisers@demo.fusionforum.invalid",
            "public_email": "workshop@demo.fusionforum.invalid",
            "is_demo": True,
        },
    )
    days = {}
    for offset, label, summary in DAYS:
        day, _ = Day.objects.update_or_create(
            event=event, label=label,
            defaults={"date": today + dt.timedelta(days=offset), "summary": summary},
        )
        days[offset] = day
    event.days.exclude(pk__in=[d.pk for d in days.values()]).delete()

    # The plenary is an HLS address (the livestream page's own player), the tour a plain link.
    streams = [
        ("Plenary channel, days 1 and 2", days[0], _local(today, 0),
         _local(today + dt.timedelta(days=1), 19),
         "https://stream.demo.fusionforum.invalid/live/plenary/index.m3u8",
         "https://stream.demo.fusionforum.invalid/replay/plenary/index.m3u8"),
        ("Day 3 worksite tour broadcast", days[2], _local(today + dt.timedelta(days=2), 14),
         _local(today + dt.timedelta(days=2), 16),
         "https://stream.demo.fusionforum.invalid/live/worksite-tour",
         ""),
    ]
    for label, day, start, end, url, replay in streams:
        StreamLink.objects.update_or_create(
            event=event, label=label,
            defaults={"day": day, "visible_from": start, "visible_until": end, "url": url,
                      "replay_url": replay},
        )

    organiser = User.objects.filter(email="organiser@demo.fusionforum.invalid").first()
    if organiser is None:
        organiser = create_demo_user(
            "organiser@demo.fusionforum.invalid",
            full_name="Dana Example (demo organiser)",
        )
    TeamMembership.objects.get_or_create(
        event=event, user=organiser, role=TeamMembership.Role.ORGANISER
    )
    admin = User.objects.filter(email="admin@demo.fusionforum.invalid").first()
    if admin is None:
        admin = create_demo_user(
            "admin@demo.fusionforum.invalid", superuser=True,
            full_name="Platform administrator (demo)",
        )
    for staff in (organiser, admin):
        _give_backup_codes(staff)
    # The demo organiser may start events of their own (a platform role the administrator
    # names at /manage/creators/).
    EventCreator.objects.get_or_create(
        user=organiser, defaults={"granted_by": admin, "granted_at": clock.now()})
    if event.status == EventStatus.DRAFT:
        EVENT_LIFE_CYCLE.move(event, EventStatus.PUBLISHED, actor=admin,
                              note="The demo is published",
                              changes={"published_at": event.published_at or clock.now()})

    for hours_ago, (name, email, organisation, topic, message) in enumerate(CONTACT_MESSAGES):
        ContactMessage.objects.get_or_create(
            event=event, email=email,
            defaults={"name": name, "organisation": organisation, "topic": topic,
                      "message": message,
                      "received_at": clock.now() - dt.timedelta(hours=3 * hours_ago + 1)},
        )
    _notices(event, admin=admin, organiser=organiser)
    return event


# The operator's and the demo organisers' parts of the notices (fictional, labelled so).
NOTICES = {
    ("platform", "privacy"): (
        "## Who is responsible\n\nDemo Platform Operator SAS (fictional), 1 Rue de "
        "l'Exemple, 13000 Demoville, operates this site. Data protection contact: "
        "privacy@demo.fusionforum.invalid.\n\n## Legal basis\n\nYour registration and "
        "what follows from it (contract); the security of the site (legitimate interest); "
        "site-access data (legal obligation of the visited site).\n\n*Demonstration text.*",
        "## Responsable\n\nDemo Platform Operator SAS (fictive), 1 rue de l'Exemple, "
        "13000 Demoville, exploite ce site. Contact pour la protection des données\u00a0: "
        "privacy@demo.fusionforum.invalid.\n\n## Base légale\n\nVotre inscription et ce "
        "qui en découle (contrat)\u00a0; la sécurité du site (intérêt légitime)\u00a0; les "
        "données d'accès au site (obligation légale du site visité).\n\n"
        "*Texte de démonstration.*"),
    ("platform", "legal"): (
        "## Publisher\n\nDemo Platform Operator SAS (fictional), share capital 1 euro, "
        "1 Rue de l'Exemple, 13000 Demoville. Publication director: Demo Director.\n\n"
        "## Host\n\nDemo Hosting (fictional), Demoville.\n\n*Demonstration text.*",
        "## Éditeur\n\nDemo Platform Operator SAS (fictive), capital 1\u00a0euro, "
        "1 rue de l'Exemple, 13000 Demoville. Directeur de la publication\u00a0: Demo "
        "Director.\n\n## Hébergeur\n\nDemo Hosting (fictif), Demoville.\n\n"
        "*Texte de démonstration.*"),
    ("platform", "accessibility"): (
        "## Compliance\n\nThis site is partially compliant with WCAG 2.1 AA. Known "
        "limits: the programme editor needs a pointer for drag and drop (a keyboard form "
        "does the same).\n\n## Feedback\n\nTell us of any barrier: "
        "accessibility@demo.fusionforum.invalid.\n\n*Demonstration text.*",
        "## Conformité\n\nCe site est partiellement conforme au RGAA et aux WCAG 2.1 AA. "
        "Limites connues\u00a0: l'éditeur du programme demande un pointeur pour le "
        "glisser-déposer (un formulaire au clavier fait de même).\n\n## Retour\n\n"
        "Signalez-nous tout obstacle\u00a0: accessibility@demo.fusionforum.invalid.\n\n"
        "*Texte de démonstration.*"),
    ("event", "privacy"): (
        "The demo workshop's organisers (fictional) decide what the registration form asks. "
        "They keep the participant list for one year after the workshop, then delete it.\n\n"
        "*Demonstration text.*",
        "Les organisateurs de l'atelier de démonstration (fictifs) décident de ce que demande "
        "le formulaire d'inscription. Ils gardent la liste des participants un an après "
        "l'atelier, puis la suppriment.\n\n*Texte de démonstration.*"),
    ("event", "accessibility"): (
        "The venue (fictional) has step-free access to every room; ask the organisers for an "
        "induction loop or a seat near the screen.\n\n*Demonstration text.*",
        "Le lieu (fictif) est accessible de plain-pied dans toutes les salles\u00a0; demandez "
        "aux organisateurs une boucle magnétique ou une place près de l'écran.\n\n"
        "*Texte de démonstration.*"),
}


def _notices(event, *, admin, organiser) -> None:
    for (scope, kind), (english, french) in NOTICES.items():
        Notice.objects.update_or_create(
            event=event if scope == "event" else None, kind=kind,
            defaults={"body_en": english, "body_fr": french, "updated_at": clock.now(),
                      "updated_by": organiser if scope == "event" else admin})
