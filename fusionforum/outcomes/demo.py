"""The demo's outcomes report: themes built from the synthetic answers, the day-3 meetings
(check-in completed for the published meetings that have no record yet), a few synthetic
survey answers, a narrative, priorities and version 1 published. Idempotent: an event that
already has a published report keeps it."""

from __future__ import annotations

import random

from django.db import transaction

from fusionforum.cfp.models import Submission
from fusionforum.core import clock
from fusionforum.events.models import TeamMembership

from . import services
from .models import OutcomesReport, Priority, SurveyResponse, Theme
from .report import translatable

NARRATIVE = """*Demonstration report: every company, answer and figure is synthetic.*

The private developers who answered the call agree on where they stand: devices are being
built, and the hardest open problems are now engineering and industrial ones. The themes
below group their answers to two questions, *which challenges remain* and *how ITER can
help*; the share under each theme is the fraction of submitting organisations behind it.

Aggregate-only answers are counted but never quoted; confidential answers are left out.

## What we heard

- Demand concentrates on a few subjects where ITER has built unique experience.
- Smaller developers ask for access to data and test facilities more than for advice.
- Supply chain and licensing questions cut across every fusion approach.
"""

NARRATIVE_FR = """*Rapport de démonstration : toutes les entreprises, réponses et chiffres sont
fictifs.*

Les développeurs privés qui ont répondu à l’appel s’accordent sur leur situation : des
machines sont en construction, et les problèmes les plus difficiles sont désormais
d’ingénierie et d’industrie. Les thèmes ci-dessous regroupent leurs réponses à deux
questions, *quels défis restent à relever* et *comment ITER peut aider* ; la part indiquée
sous chaque thème est la proportion des organismes ayant envoyé une proposition qui s’y
retrouvent.

Les réponses agrégées uniquement sont comptées mais jamais citées ; les réponses
confidentielles sont écartées.

## Ce que nous avons entendu

- La demande se concentre sur quelques sujets où ITER a acquis une expérience unique.
- Les plus petits développeurs demandent l’accès aux données et aux moyens d’essai plus que
  des conseils.
- Les questions de chaîne d’approvisionnement et d’autorisation concernent toutes les
  approches de la fusion.
""".replace(" :", "\u00a0:").replace(" ;", "\u00a0;")

PRIORITIES = [
    ("Open ITER's qualification data and test reports to private developers",
     "A data-sharing framework with clear licence terms, starting with the themes most "
     "companies named.", 4),
    ("Run joint supplier days for components most companies need",
     "Shared qualification of suppliers avoids every developer repeating the same audits.", 3),
    ("Second ITER experts for short technical missions",
     "Short, scoped missions on the subjects where experts were most requested on day 3.", 2),
]


def _organiser(event):
    membership = (TeamMembership.objects.filter(event=event,
                                                role=TeamMembership.Role.ORGANISER)
                  .select_related("user").first())
    return membership.user if membership else None


def _complete_check_in(event) -> None:
    """Record attendance for the published meetings nobody has checked in yet (synthetic:
    about one in twelve a no-show)."""
    from fusionforum.meetings import services as meeting_services
    from fusionforum.meetings.models import MeetingOutcome

    release = meeting_services.latest_release(event)
    if release is None:
        return
    recorded = set(MeetingOutcome.objects.filter(request__event=event)
                   .values_list("request_id", flat=True))
    rng = random.Random(f"fusionforum-demo-outcomes-{event.slug}")  # noqa: S311 - synthetic
    categories = [c for c, _ in MeetingOutcome.Category.choices]
    for meeting in release.snapshot.get("meetings", []):
        if meeting["request"] in recorded:
            continue
        no_show = rng.random() < 1 / 12
        MeetingOutcome.objects.create(
            request_id=meeting["request"],
            attendance=(MeetingOutcome.Attendance.NO_SHOW if no_show
                        else MeetingOutcome.Attendance.HELD),
            checked_in_at=clock.now(),
            category="" if no_show else rng.choice(categories),
            follow_up_requested=(not no_show) and rng.random() < 0.4,
        )


def _survey(event) -> None:
    rng = random.Random(f"fusionforum-demo-survey-{event.slug}")  # noqa: S311 - synthetic
    organisations = {s.organisation for s in Submission.objects.filter(event=event)
                     .select_related("organisation").order_by("id")}
    for organisation in sorted(organisations, key=lambda o: o.pk)[::2]:
        SurveyResponse.objects.update_or_create(
            event=event, organisation=organisation,
            defaults={"usefulness": rng.choice([3, 4, 4, 5, 5]),
                      "meetings_rating": rng.choice([None, 3, 4, 5, 5]),
                      "likely_to_engage": rng.choice([2, 3, 4, 4, 5]),
                      "comments": "Synthetic survey answer for the demo.",
                      "submitted_at": clock.now()})


def _name_themes(event, by) -> None:
    """Name every theme as an organiser would: after the call category most of its counted
    answers were filed under; when an earlier theme already has that name, after its two
    leading categories. The automatic names are never published. Where themes have
    translated names, the French name is made the same way from the categories' French
    names."""
    from collections import Counter

    from .report import CATEGORY_FIELDS, in_language, translatable

    bilingual = translatable(Theme, "label")
    used: set[str] = set()
    for theme in Theme.objects.filter(event=event).order_by("position", "id"):
        counts: Counter = Counter()
        french: dict[str, str] = {}
        for source in theme.sources.select_related("submission"):
            if not services.counts_now(source):
                continue
            for category in getattr(source.submission, CATEGORY_FIELDS[source.question]).all():
                name = in_language(category, "name", event.default_language) or category.name
                counts[name] += 1
                french[name] = in_language(category, "name", "fr") or name
        ranked = [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        name = ranked[0] if ranked else None
        name_fr = french.get(name, "") if name else ""
        if name in used and len(ranked) >= 2:
            name = f"{ranked[0]}, with {ranked[1][:1].lower()}{ranked[1][1:]}"
            second = french[ranked[1]]
            name_fr = f"{french[ranked[0]]}, avec {second[:1].lower()}{second[1:]}"
        if name is None or name in used:
            name = f"Other subjects ({len(used) + 1})"
            name_fr = f"Autres sujets ({len(used) + 1})"
        used.add(name)
        services.rename_theme(event, theme.pk, name, by=by,
                              translations={"fr": name_fr} if bilingual else None)


def load(event) -> str:
    latest = services.latest_published(event)
    by = _organiser(event)
    if latest is not None and Theme.objects.filter(event=event).exists():
        if Theme.objects.filter(event=event, named_by_organiser=False).exists() and by:
            # A demo loaded before themes needed names: name them, publish the next version.
            with transaction.atomic():
                _name_themes(event, by)
                latest = services.publish(event, by=by,
                                          comment="Demo: themes named in the organisers' words.")
        return (f"Outcomes: {len(latest.data['themes'])} themes, report version "
                f"{latest.version} published (kept)")
    if len(services.answers(event)) < 2:
        return "Outcomes: no answers to build a report from"
    with transaction.atomic():
        _complete_check_in(event)
        _survey(event)
        services.build_themes(event, by=by)
        _name_themes(event, by)
        if translatable(OutcomesReport, "title") and translatable(OutcomesReport, "narrative"):
            texts = {"title_en": "Outcomes report (synthetic demo)",
                     "title_fr": "Rapport de résultats (démonstration, données fictives)",
                     "narrative_en": NARRATIVE, "narrative_fr": NARRATIVE_FR}
        else:
            texts = {"title": "Outcomes report (synthetic demo)", "narrative": NARRATIVE}
        services.save_narrative(event, by=by, licence="CC-BY-4.0", attribution="", **texts)
        Priority.objects.filter(event=event).delete()
        themes = list(Theme.objects.filter(event=event).order_by("position", "id"))
        for index, (title, description, feasibility) in enumerate(PRIORITIES):
            chosen = themes[index::len(PRIORITIES)][:2] if themes else []
            services.save_priority(event, by=by, title=title, description=description,
                                   feasibility=feasibility, theme_pks=[t.pk for t in chosen])
        version = services.publish(event, by=by, comment="Demo: first published version.")
    return (f"Outcomes: {len(version.data['themes'])} themes from "
            f"{version.data['inputs']['answers_counted']} answers, report version "
            f"{version.version} published")
