"""The demo's next edition: the demo workshop cloned into a 2028 edition (unpublished, marked as
demo like its source) with a small synthetic published outcomes report, so that the editions
comparison has something to show (themes that grew, shrank, appeared and disappeared).

The 2028 report is *derived* from the demo workshop's published report (or, before there is
one, from a fixed synthetic list): deterministic changes of each theme's share of
organisations, the last theme dropped, and new subjects added that match none of the earlier
themes. It has no quotes (nobody wrote answers for an edition that has not happened) and its
method says "synthetic demonstration data". Idempotent: the clone is made once; the report is
rewritten only when its content would change.
"""

from __future__ import annotations

import copy
import datetime as dt

from django.db import transaction

from fusionforum.core import clock
from fusionforum.core.text import render_markdown
from fusionforum.events.models import Event, TeamMembership

from . import compare, editions

NEXT_YEAR = 2028

NARRATIVE = """*Demonstration report of a future edition: every company, answer and figure is
synthetic, made up to show how editions are compared.*

More organisations took part than in the previous edition. Demand moved towards the subjects
where developers now build hardware, and new subjects appeared.
"""

# Candidate new subjects; those similar to an earlier theme are skipped so they "appear".
NEW_SUBJECTS = [
    ("Tritium breeding blanket qualification",
     ["breeding blanket", "lithium", "tritium breeding ratio", "qualification"], 0.34),
    ("Fusion power plant licensing pathways",
     ["licensing", "regulator", "safety case", "power plant"], 0.27),
    ("Workforce and skills for fusion construction",
     ["workforce", "skills", "training", "apprenticeships"], 0.19),
    ("Cryogenic plant sizing and helium supply",
     ["cryoplant", "helium", "refrigeration", "sizing"], 0.15),
]

FALLBACK_THEMES = [
    ("High-temperature superconducting magnets", ["hts", "magnets", "quench", "cable"], 0.42),
    ("Plasma-facing materials and neutron damage", ["tungsten", "neutron", "materials"], 0.35),
    ("Remote handling and maintenance", ["remote handling", "robotics", "maintenance"], 0.22),
    ("Diagnostics and control systems", ["diagnostics", "control", "real-time"], 0.18),
]


def _start_date(source: Event) -> dt.date:
    start = source.start_date
    year = max(NEXT_YEAR, start.year + 1)
    try:
        candidate = start.replace(year=year)
    except ValueError:
        candidate = dt.date(year, start.month, 28)
    if candidate <= source.end_date:  # pragma: no cover - only if the demo runs in 2028+
        candidate = source.end_date + dt.timedelta(days=365)
    return candidate


def _scale(counts: dict, factor: float) -> dict:
    return {k: max(0, round(v * factor)) for k, v in sorted((counts or {}).items())}


def _base_data(source: Event) -> dict | None:
    from .services import latest_published

    version = latest_published(source)
    return copy.deepcopy(version.data) if version is not None else None


def _theme(tid: int, position: int, label: str, terms: list[str], share: float, total: int,
           like: dict | None) -> dict:
    organisations = max(1, round(share * total))
    factor = organisations / like["organisations"] if like and like.get("organisations") else 1
    return {
        "id": f"T{tid}", "label": label, "position": position, "key_terms": list(terms),
        "organisations": organisations, "answers": organisations + organisations // 3,
        "share": round(organisations / total, 4) if total else 0.0,
        "by_approach": _scale(like.get("by_approach"), factor) if like else {},
        "by_sector": _scale(like.get("by_sector"), factor) if like else {},
        "by_question": (_scale(like.get("by_question"), factor) if like
                        else {"challenges": organisations, "iter_help": organisations // 3}),
        "categories": _scale(like.get("categories"), factor) if like else {},
        "quotes": [],
    }


def synthetic_report(source: Event, target: Event, base: dict | None) -> dict:
    """The 2028 edition's report document (``fusionforum-outcomes/1``)."""
    growth = 1.25
    if base is not None:
        old_total = int(base["inputs"]["organisations"]) or 10
        old_themes = sorted(base["themes"], key=lambda t: t["position"])
    else:
        old_total = 16
        old_themes = [{"label": label, "key_terms": terms, "share": share,
                       "organisations": round(share * old_total)}
                      for label, terms, share in FALLBACK_THEMES]
    total = round(old_total * growth)
    themes: list[dict] = []
    kept = old_themes[:-1] if len(old_themes) > 1 else old_themes
    for i, old in enumerate(kept):
        share = float(old.get("share") or 0)
        if i % 3 == 0:
            share = min(0.95, share + 0.15)   # grew
        elif i % 3 == 1:
            share = max(0.04, share - 0.12)   # shrank
        themes.append(_theme(len(themes) + 1, 0, old["label"], old.get("key_terms", []), share,
                             total, old if base is not None else None))
    added = 0
    for label, terms, share in NEW_SUBJECTS:
        probe = [{"label": label, "key_terms": terms}]
        if any(s >= compare.MATCH_THRESHOLD
               for row in compare.similarity_matrix(old_themes, probe) for s in row):
            continue
        themes.append(_theme(len(themes) + 1, 0, label, terms, share, total, None))
        added += 1
        if added == 2:
            break
    themes.sort(key=lambda t: (-t["organisations"], t["label"]))
    for position, theme in enumerate(themes, start=1):
        theme["position"] = position
    base = base or {}
    demand = base.get("demand") or {"by_approach": {}, "by_sector": {}}
    meetings = copy.deepcopy(base.get("meetings")) or {
        "published": True, "scheduled": 40, "held": 36, "no_show": 4, "unmet": 6,
        "follow_ups": 12, "by_discipline": [], "by_outcome": {}}
    for key in ("scheduled", "held", "no_show", "unmet", "follow_ups"):
        meetings[key] = round(meetings.get(key, 0) * 1.2)
    for row in meetings.get("by_discipline", []):
        for key in ("requested", "held", "unmet"):
            row[key] = round(row[key] * 1.2)
    meetings["by_outcome"] = _scale(meetings.get("by_outcome"), 1.2)
    submissions = round((base.get("inputs", {}).get("submissions") or old_total) * growth)
    licence = base.get("licence") or {
        "id": "CC-BY-4.0", "name": "Creative Commons Attribution 4.0 (CC BY 4.0)",
        "url": "https://creativecommons.org/licenses/by/4.0/", "attribution": ""}
    licence = {**licence, "attribution": f"{target.title}, outcomes report (synthetic)"}
    data = {
        "format": "fusionforum-outcomes/1",
        "event": {"slug": target.slug, "title": target.title,
                  "start_date": target.start_date.isoformat(),
                  "end_date": target.end_date.isoformat()},
        "title": "Outcomes report (synthetic demonstration)",
        "version": 1,
        "published_at": "",
        "licence": licence,
        "inputs": {"submissions": submissions, "organisations": total,
                   "answers_counted": sum(t["answers"] for t in themes), "answers_quotable": 0},
        "method": {"algorithm": "synthetic demonstration data", "k": None, "silhouette": None,
                   "edited": False, "derived_from": source.slug},
        "narrative_markdown": NARRATIVE,
        "narrative_html": render_markdown(NARRATIVE),
        "themes": themes,
        "priorities": [],
        "demand": {"by_approach": _scale(demand.get("by_approach"), growth),
                   "by_sector": _scale(demand.get("by_sector"), growth)},
        "categories": [],
        "meetings": meetings,
        "survey": {"responses": 0, "usefulness": None, "meetings_rating": None,
                   "likely_to_engage": None},
    }
    if base.get("labels"):
        data["labels"] = base["labels"]
    return data


def _demo_organiser(event):
    membership = (TeamMembership.objects.filter(event=event, role=TeamMembership.Role.ORGANISER)
                  .select_related("user").order_by("pk").first())
    return membership.user if membership else None


def load(event: Event) -> str:
    from .models import ReportVersion

    start = _start_date(event)
    slug = f"{event.slug}-{start.year}"[:60]
    title = f"{event.title} {start.year}"
    by = _demo_organiser(event)
    with transaction.atomic():
        target = Event.objects.filter(slug=slug).first()
        if target is None:
            target = editions.clone_edition(event, new_slug=slug, new_title=title,
                                            new_start_date=start, by=by)
            made = "cloned"
        else:
            made = "kept"
        if not target.is_demo:
            target.is_demo = True
            target.save(update_fields=["is_demo"])
        data = synthetic_report(event, target, _base_data(event))
        version = ReportVersion.every.filter(event=target, version=1).first()
        if version is None:
            now = clock.now()
            data["published_at"] = now.isoformat()
            ReportVersion.objects.create(event=target, version=1, published_at=now,
                                         published_by=by, comment="Synthetic demonstration",
                                         data=data)
        else:
            data["published_at"] = version.data.get("published_at", "")
            if version.data != data:
                version.data = data
                version.save(update_fields=["data"])
    return (f"Next edition {made}: /{target.slug}/ ({target.start_date}, unpublished) with a "
            f"synthetic report of {len(data['themes'])} themes; compare at "
            f"/manage/{target.slug}/editions/compare/?with={event.slug}")
