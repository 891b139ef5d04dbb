"""The frozen form of the report, format ``fusionforum-outcomes/1`` (JSON Schema:
``report.schema.json`` next to this file).

``build_data(event, version, published_at)`` reads the working copy and the current state of
every answer. Visibility is checked again here, on the submission as it is now, by the call's
policy (``cfp.visibility``, through ``services.is_counted`` / ``is_quotable``): an answer made
confidential after the themes were built leaves the report; one made aggregate-only stops
being quoted; a withdrawn submission leaves the report.

Top level: ``format``, ``event`` {slug, title, start_date, end_date}, ``title``, ``version``,
``published_at``, ``licence`` {id (SPDX), name, url, attribution}, ``inputs`` {submissions,
organisations, answers_counted, answers_quotable}, ``method`` {algorithm, k, silhouette,
edited, ...}, ``narrative_markdown``, ``narrative_html`` (sanitised), ``themes`` [{id "T<n>",
label, position, key_terms, organisations, answers, share, by_approach, by_sector,
by_question, categories, quotes [{text, organisation, question}]}], ``priorities`` [{rank,
title, description_markdown, description_html, feasibility 1-5, breadth, score, themes [id],
evidence {organisations, answers, by_approach, by_sector}}], ``demand`` {by_approach,
by_sector}, ``labels`` {approach, sector, question, discipline, outcome: {key: name}},
``categories`` [{slug, name, challenges, iter_help}], ``meetings`` {published, scheduled,
held, no_show, unmet, follow_ups, by_discipline [{key, label, requested, held, unmet}],
by_outcome}, ``survey`` {responses, usefulness, meetings_rating, likely_to_engage}.

Languages: the organisers' texts at the top level are in the event's default language; the
fixed labels (``labels``, ``licence.name``) are the English source texts. ``languages`` lists
the languages the version is published in (the default language, and every other site
language in which the organisers gave the title, narrative, theme names and priority titles).
``translations`` {language: {title, event_title, attribution, licence_name,
narrative_markdown, narrative_html, themes {id: label}, priorities {rank: {title,
description_markdown, description_html}}, categories {slug: name}, labels {...}}} holds, for
every site language, the organisers' texts written in that language (only those given) and
the fixed labels in that language. ``localise(data, language)`` gives the document a reader
of that language reads: their language where given, else the event's default language.

Shares are organisations / ``inputs.organisations`` (organisations with at least one counted
answer). Priorities rank by ``score = breadth × feasibility / 5``, then breadth.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from fusionforum.accounts.models import Organisation
from fusionforum.cfp.models import Category, Submission
from fusionforum.core.languages import language_codes
from fusionforum.core.text import render_markdown
from fusionforum.meetings.models import MeetingOutcome

from . import clustering
from .models import (
    THEME_QUESTIONS,
    Licence,
    OutcomesReport,
    Priority,
    SurveyResponse,
    Theme,
    ThemeSource,
)
from .services import COUNTED_STATES, is_counted, is_quotable, report_for

FORMAT = "fusionforum-outcomes/1"
QUOTES_PER_THEME = 3
QUOTE_LENGTH = 320
# English source texts, stored as such in the data and read in the reader's language.
QUESTION_LABELS = {"challenges": gettext_noop("Challenges that remain"),
                   "iter_help": gettext_noop("How ITER can help")}
NO_APPROACH = gettext_noop("No approach (not a fusion developer)")
DEFAULT_TITLE = "Outcomes report"  # OutcomesReport.title's default
gettext_noop("Outcomes report")
CATEGORY_FIELDS = {"challenges": "challenge_categories", "iter_help": "help_categories"}


def approach_key(organisation) -> str:
    return organisation.fusion_approach or "none"


def quote_of(text: str) -> str:
    """A readable excerpt: whole sentences up to about QUOTE_LENGTH characters."""
    text = " ".join(text.split())
    if len(text) <= QUOTE_LENGTH:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    excerpt = ""
    for sentence in sentences:
        if len(excerpt) + len(sentence) + 1 > QUOTE_LENGTH:
            break
        excerpt = f"{excerpt} {sentence}".strip()
    return excerpt or text[:QUOTE_LENGTH].rsplit(" ", 1)[0] + " …"


def _counts(organisations) -> tuple[dict, dict]:
    by_approach = Counter(approach_key(o) for o in organisations)
    by_sector = Counter(o.kind for o in organisations)
    return dict(sorted(by_approach.items())), dict(sorted(by_sector.items()))


def counted_organisations(event) -> list[Organisation]:
    seen = {}
    for submission in (Submission.objects.filter(event=event, state__in=COUNTED_STATES)
                       .select_related("organisation").order_by("id")):
        if any(is_counted(submission, q) for q in THEME_QUESTIONS):
            seen.setdefault(submission.organisation_id, submission.organisation)
    return list(seen.values())


def _sources_by_theme(event) -> dict[int, list]:
    sources = (ThemeSource.objects.filter(event=event)
               .select_related("submission__organisation")
               .prefetch_related("submission__challenge_categories",
                                 "submission__help_categories")
               .order_by("-closeness", "id"))
    by_theme = defaultdict(list)
    for source in sources:
        by_theme[source.theme_id].append(source)
    return by_theme


def current_key_terms(event, by_theme: dict | None = None) -> dict[int, list[str]]:
    """Each working theme's key terms from the answers that count *now*, weighted against
    every answer of the event that counts now: terms that counted answers of at least two
    organisations in the theme use. The terms stored at build time are never published: an
    answer made confidential since then would otherwise keep its words in the report."""
    by_theme = _sources_by_theme(event) if by_theme is None else by_theme
    texts: list[str] = []
    owners: list[int] = []
    groups: dict[int, list[int]] = {}
    for theme_id, sources in by_theme.items():
        members = groups.setdefault(theme_id, [])
        for source in sources:
            if not is_counted(source.submission, source.question):
                continue
            members.append(len(texts))
            texts.append(getattr(source.submission, source.question))
            owners.append(source.submission.organisation_id)
    ids = list(groups)
    terms = clustering.terms_of_groups(texts, [groups[i] for i in ids], owners)
    return dict(zip(ids, terms, strict=True))


def hidden_words(event) -> set[str]:
    """Words that only answers the public may not read contain: words of confidential
    answers, of withdrawn or draft submissions and of aggregate-only answers, unless a public
    answer uses the word too or counted answers of at least two organisations do (what a key
    term may show). A theme name using one of these would publish a word of an answer that
    is not public."""
    in_public: set[str] = set()
    counted: dict[str, set[int]] = defaultdict(set)
    hidden: set[str] = set()
    for submission in Submission.objects.filter(event=event).order_by("id"):
        for question in THEME_QUESTIONS:
            text = getattr(submission, question) or ""
            words = clustering.words(text)
            if is_quotable(submission, question):
                in_public |= words
            else:
                hidden |= words
            if is_counted(submission, question):
                for word in words:
                    counted[word].add(submission.organisation_id)
    return {w for w in hidden if w not in in_public and len(counted[w]) < 2}


def label_problems(event, themes: list[dict] | None = None) -> list[str]:
    """Why the working copy's theme names cannot be published, one sentence per theme: an
    automatic name (the grouping's words are a hint for the editor, not a name for the
    public), or a name (in any language) with a word found only in answers the public may
    not read."""
    themes = theme_rows(event) if themes is None else themes
    hidden = hidden_words(event)
    problems = []
    for row in themes:
        if not row["_named_by_organiser"]:
            problems.append(gettext("The theme “%(name)s” still has its automatic name: name "
                                    "it in your words.") % {"name": row["label"]})
            continue
        names = [row["label"]]
        theme = row.get("_object")
        if theme is not None:
            names += [name for code in language_codes()
                      if (name := in_language(theme, "label", code)) and name not in names]
        for name in names:
            leaked = sorted(clustering.words(name) & hidden)
            if leaked:
                problems.append(gettext(
                    "The theme name “%(name)s” uses %(words)s, found only in answers the "
                    "public may not read (confidential, aggregate-only or withdrawn): rename "
                    "it.") % {"name": name, "words": ", ".join(f"“{w}”" for w in leaked)})
    return problems


def theme_rows(event, *, include_empty: bool = False) -> list[dict]:
    """Every working theme with its evidence counted now. Themes left without a counted
    answer are left out (their name and terms would speak for nobody) unless
    ``include_empty`` (the editor shows them)."""
    organisations = counted_organisations(event)
    total = len(organisations)
    by_theme = _sources_by_theme(event)
    terms = current_key_terms(event, by_theme)
    rows = []
    position = 0
    for theme in Theme.objects.filter(event=event).order_by("position", "id"):
        orgs = {}
        answers = 0
        by_question = Counter()
        categories = defaultdict(set)
        quotes = []
        quoted_orgs = set()
        for source in by_theme.get(theme.pk, []):
            submission = source.submission
            if not is_counted(submission, source.question):
                continue
            answers += 1
            by_question[source.question] += 1
            orgs[submission.organisation_id] = submission.organisation
            for category in getattr(submission, CATEGORY_FIELDS[source.question]).all():
                categories[category.slug].add(submission.organisation_id)
            if (is_quotable(submission, source.question) and len(quotes) < QUOTES_PER_THEME
                    and submission.organisation_id not in quoted_orgs):
                quoted_orgs.add(submission.organisation_id)
                quotes.append({"text": quote_of(getattr(submission, source.question)),
                               "organisation": submission.organisation.name,
                               "question": source.question})
        if not answers and not include_empty:
            continue
        position += 1
        by_approach, by_sector = _counts(orgs.values())
        rows.append({
            "id": theme.public_id, "label": theme.label, "position": position,
            "key_terms": list(terms.get(theme.pk, [])), "organisations": len(orgs),
            "answers": answers,
            "share": round(len(orgs) / total, 4) if total else 0.0,
            "by_approach": by_approach, "by_sector": by_sector,
            "by_question": dict(sorted(by_question.items())),
            "categories": {slug: len(ids) for slug, ids in sorted(categories.items())},
            "quotes": quotes,
            "_organisation_ids": sorted(orgs),
            "_named_by_organiser": theme.named_by_organiser,
            "_object": theme,
        })
    return rows


def priority_rows(event, themes: list[dict], total: int) -> list[dict]:
    by_id = {t["id"]: t for t in themes}
    organisations = {o.pk: o for o in Organisation.objects.filter(
        pk__in={pk for t in themes for pk in t["_organisation_ids"]})}
    rows = []
    for priority in Priority.objects.filter(event=event).prefetch_related("themes"):
        # Only themes that are part of the report (a theme left without counted answers is
        # not published, so a priority cannot point at it).
        theme_ids = [t.public_id for t in sorted(priority.themes.all(),
                                                 key=lambda t: (t.position, t.pk))
                     if t.public_id in by_id]
        org_ids = {pk for tid in theme_ids for pk in by_id.get(tid, {}).get("_organisation_ids",
                                                                            [])}
        answers = sum(by_id[tid]["answers"] for tid in theme_ids if tid in by_id)
        breadth = round(len(org_ids) / total, 4) if total else 0.0
        by_approach, by_sector = _counts([organisations[pk] for pk in org_ids])
        rows.append({
            "rank": 0, "title": priority.title,
            "description_markdown": priority.description,
            "description_html": render_markdown(priority.description),
            "feasibility": priority.feasibility, "breadth": breadth,
            "score": round(breadth * priority.feasibility / 5, 4), "themes": theme_ids,
            "evidence": {"organisations": len(org_ids), "answers": answers,
                         "by_approach": by_approach, "by_sector": by_sector},
            "_pk": priority.pk,
            "_object": priority,
        })
    rows.sort(key=lambda r: (-r["score"], -r["breadth"], -r["feasibility"], r["_pk"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def category_rows(event) -> list[dict]:
    counts = {q: Counter() for q in THEME_QUESTIONS}
    submissions = (Submission.objects.filter(event=event, state__in=COUNTED_STATES)
                   .prefetch_related("challenge_categories", "help_categories"))
    for submission in submissions:
        for question in THEME_QUESTIONS:
            if not is_counted(submission, question):
                continue
            for category in getattr(submission, CATEGORY_FIELDS[question]).all():
                counts[question][category.slug] += 1
    return [{"slug": c.slug, "name": c.name, "challenges": counts["challenges"][c.slug],
             "iter_help": counts["iter_help"][c.slug]}
            for c in Category.objects.filter(event=event)]


def meeting_figures(event) -> tuple[dict, dict]:
    """Meetings held by discipline and unmet demand, from the latest published meetings day
    (counts only: topics and notes are never part of the report)."""
    empty = {"published": False, "scheduled": 0, "held": 0, "no_show": 0, "unmet": 0,
             "follow_ups": 0, "by_discipline": [], "by_outcome": {}}
    try:
        from fusionforum.meetings import services as meeting_services
        from fusionforum.meetings.models import MeetingOutcome, MeetingRequest, MeetingSettings
    except ImportError:  # pragma: no cover - the meetings app is part of the project
        return empty, {}
    settings = MeetingSettings.objects.filter(event=event).first()
    labels = {d["key"]: d["label"] for d in (settings.disciplines if settings else [])}
    release = meeting_services.latest_release(event)
    if release is None:
        return empty, labels
    snapshot = release.snapshot or {}
    met = [m["request"] for m in snapshot.get("meetings", [])]
    unmet = list(snapshot.get("unmet", []))
    requests = {r.pk: r for r in MeetingRequest.objects.filter(event=event, pk__in=met + unmet)
                .select_related("expert")}

    def discipline(pk) -> str:
        request = requests.get(pk)
        if request is None:
            return "other"
        if request.discipline:
            return request.discipline
        disciplines = request.expert.disciplines if request.expert_id else []
        return disciplines[0] if disciplines else "other"

    outcomes = {o.request_id: o for o in MeetingOutcome.objects.filter(request_id__in=met)}
    table = defaultdict(lambda: {"requested": 0, "held": 0, "unmet": 0})
    held = no_show = follow_ups = 0
    by_outcome = Counter()
    for pk in met:
        row = table[discipline(pk)]
        row["requested"] += 1
        outcome = outcomes.get(pk)
        if outcome is None:
            continue
        if outcome.attendance == MeetingOutcome.Attendance.HELD:
            held += 1
            row["held"] += 1
            if outcome.category:
                by_outcome[outcome.category] += 1
            follow_ups += int(outcome.follow_up_requested)
        elif outcome.attendance == MeetingOutcome.Attendance.NO_SHOW:
            no_show += 1
    for pk in unmet:
        row = table[discipline(pk)]
        row["requested"] += 1
        row["unmet"] += 1
    order = list(labels)
    by_discipline = [
        {"key": key, "label": labels.get(key, key.replace("_", " ").capitalize()), **values}
        for key, values in sorted(table.items(),
                                  key=lambda kv: (order.index(kv[0]) if kv[0] in order
                                                  else len(order), kv[0]))
    ]
    return {"published": True, "scheduled": len(met), "held": held, "no_show": no_show,
            "unmet": len(unmet), "follow_ups": follow_ups, "by_discipline": by_discipline,
            "by_outcome": dict(sorted(by_outcome.items()))}, labels


def survey_figures(event) -> dict:
    responses = list(SurveyResponse.objects.filter(event=event))

    def mean(name):
        values = [getattr(r, name) for r in responses if getattr(r, name) is not None]
        return round(sum(values) / len(values), 2) if values else None

    return {"responses": len(responses), "usefulness": mean("usefulness"),
            "meetings_rating": mean("meetings_rating"),
            "likely_to_engage": mean("likely_to_engage")}


def translatable(model, field: str) -> bool:
    """Whether organisers can give ``model.field`` in each language (translated columns)."""
    return all(hasattr(model, f"{field}_{code}") for code in language_codes())


def in_language(obj, field: str, language: str) -> str:
    """What the organisers wrote in ``obj.field`` in ``language`` (the translated column
    ``<field>_<language>``), "" when they gave nothing in that language. Without translated
    columns for the field, its one value counts as the event's default language."""
    column = f"{field}_{language}"
    if hasattr(obj, column):
        return getattr(obj, column) or ""
    event = getattr(obj, "event", obj)
    if language == getattr(event, "default_language", None):
        return getattr(obj, field) or ""
    return ""


def _source_labels() -> dict:
    """The fixed labels as their English source texts (what ``labels`` stores)."""
    with translation.override(None):
        return {
            "approach": {**{k: str(v) for k, v in Organisation.Approach.choices},
                         "none": NO_APPROACH},
            "sector": {k: str(v) for k, v in Organisation.Kind.choices},
            "question": dict(QUESTION_LABELS),
            "outcome": {k: str(v) for k, v in MeetingOutcome.Category.choices},
        }


def _labels_in(labels: dict, language: str) -> dict:
    """``labels`` (English source texts) read in ``language``; discipline names are the
    organisers' (kept as given)."""
    with translation.override(language):
        return {group: ({k: gettext(v) for k, v in names.items()}
                        if group != "discipline" else dict(names))
                for group, names in labels.items()}


def _translations(event, report, themes, priorities, labels, discipline_rows) -> dict:
    out = {}
    for code in language_codes():
        with translation.override(code):
            entry = {
                "title": in_language(report, "title", code),
                "event_title": in_language(event, "title", code),
                "attribution": in_language(report, "attribution", code),
                "licence_name": gettext(Licence(report.licence).label),
                "narrative_markdown": in_language(report, "narrative", code),
                "themes": {}, "priorities": {}, "categories": {},
                "labels": _labels_in(labels, code),
            }
            if not entry["title"] and report.title == DEFAULT_TITLE:
                entry["title"] = gettext("Outcomes report")
            if not entry["attribution"] and not report.attribution and entry["event_title"]:
                entry["attribution"] = gettext("%(event)s, outcomes report") % {
                    "event": entry["event_title"]}
            entry["narrative_html"] = (render_markdown(entry["narrative_markdown"])
                                       if entry["narrative_markdown"] else "")
            for row in themes:
                if label := in_language(row["_object"], "label", code):
                    entry["themes"][row["id"]] = label
            for row in priorities:
                title = in_language(row["_object"], "title", code)
                description = in_language(row["_object"], "description", code)
                if title or description:
                    entry["priorities"][str(row["rank"])] = {
                        "title": title, "description_markdown": description,
                        "description_html": render_markdown(description) if description else ""}
            for category in Category.objects.filter(event=event):
                if name := in_language(category, "name", code):
                    entry["categories"][category.slug] = name
            disciplines = {key: d.get(f"label_{code}") for key, d in discipline_rows.items()
                           if d.get(f"label_{code}")}
            if disciplines:
                entry["labels"]["discipline"] = {**entry["labels"]["discipline"],
                                                 **disciplines}
        out[code] = {key: value for key, value in entry.items() if value}
    return out


def _published_languages(event, data: dict) -> list[str]:
    """The event's default language, then every other site language in which the organisers
    gave the title (unless it is the default one), the narrative (if there is one), every
    theme name and every priority title."""
    default = event.default_language if event.default_language in language_codes() else "en"
    languages = [default]
    for code in language_codes():
        if code == default:
            continue
        entry = data["translations"].get(code, {})
        # Only what organisers can write in several languages (a field with translated
        # columns) is asked for.
        complete = (
            ("title" in entry or data["title"] == DEFAULT_TITLE
             or not translatable(OutcomesReport, "title"))
            and (not data["narrative_markdown"] or "narrative_markdown" in entry
                 or not translatable(OutcomesReport, "narrative"))
            and (all(t["id"] in entry.get("themes", {}) for t in data["themes"])
                 or not translatable(Theme, "label"))
            and (all(entry.get("priorities", {}).get(str(p["rank"]), {}).get("title")
                     for p in data["priorities"]) or not translatable(Priority, "title")))
        if complete:
            languages.append(code)
    return languages


def localise(data: dict, language: str) -> dict:
    """The published document as a reader of ``language`` reads it: the organisers' texts
    in that language where they gave them, else in the event's default language (the top
    level); the fixed labels in that language."""
    entry = (data.get("translations") or {}).get(language, {})
    out = copy.deepcopy({k: v for k, v in data.items() if k != "translations"})
    for key in ("title", "narrative_markdown", "narrative_html"):
        if entry.get(key):
            out[key] = entry[key]
    if entry.get("event_title"):
        out["event"]["title"] = entry["event_title"]
    licence = out.get("licence", {})
    with translation.override(language):
        licence["name"] = entry.get("licence_name") or gettext(licence.get("name", ""))
        if entry.get("attribution"):
            licence["attribution"] = entry["attribution"]
        out["labels"] = entry.get("labels") or _labels_in(data.get("labels", {}), language)
    for theme in out.get("themes", []):
        theme["label"] = entry.get("themes", {}).get(theme["id"]) or theme["label"]
    for priority in out.get("priorities", []):
        given = entry.get("priorities", {}).get(str(priority["rank"]), {})
        for key in ("title", "description_markdown", "description_html"):
            if given.get(key):
                priority[key] = given[key]
    for category in out.get("categories", []):
        category["name"] = entry.get("categories", {}).get(category["slug"]) or category["name"]
    disciplines = out["labels"].get("discipline", {})
    for row in out.get("meetings", {}).get("by_discipline", []):
        row["label"] = disciplines.get(row["key"]) or row["label"]
    return out


def build_data(event, *, version: int, published_at) -> dict:
    default = event.default_language if event.default_language in language_codes() else "en"
    with translation.override(default):
        return _build_data(event, version=version, published_at=published_at)


def _build_data(event, *, version: int, published_at) -> dict:
    report = report_for(event)
    organisations = counted_organisations(event)
    total = len(organisations)
    themes = theme_rows(event)
    priorities = priority_rows(event, themes, total)
    meetings, discipline_labels = meeting_figures(event)
    by_approach, by_sector = _counts(organisations)
    counted = quotable = 0
    submissions = 0
    for submission in Submission.objects.filter(event=event, state__in=COUNTED_STATES):
        visible = [q for q in THEME_QUESTIONS if is_counted(submission, q)]
        submissions += bool(visible)
        counted += len(visible)
        quotable += sum(1 for q in visible if is_quotable(submission, q))

    labels = {**_source_labels(), "discipline": discipline_labels}
    translations = _translations(event, report, themes, priorities, labels,
                                 _discipline_rows(event))
    for row in themes:
        row.pop("_organisation_ids")
        row.pop("_named_by_organiser")
        row.pop("_object")
    for row in priorities:
        row.pop("_pk")
        row.pop("_object")
    method = {key: report.method.get(key) for key in ("algorithm", "k", "silhouette")}
    method["edited"] = bool(report.method.get("edited"))
    method["algorithm"] = method["algorithm"] or "tfidf-kmeans"
    with translation.override(None):
        licence_name = str(Licence(report.licence).label)
    title = report.title
    if title == DEFAULT_TITLE:
        title = gettext("Outcomes report")
    data = {
        "format": FORMAT,
        "event": {"slug": event.slug, "title": event.title,
                  "start_date": event.start_date.isoformat(),
                  "end_date": event.end_date.isoformat()},
        "title": title,
        "version": version,
        "published_at": published_at.isoformat(),
        "licence": {"id": report.licence, "name": licence_name,
                    "url": report.licence_url,
                    "attribution": report.attribution or gettext(
                        "%(event)s, outcomes report") % {"event": event.title}},
        "inputs": {"submissions": submissions, "organisations": total,
                   "answers_counted": counted, "answers_quotable": quotable},
        "method": method,
        "narrative_markdown": report.narrative,
        "narrative_html": render_markdown(report.narrative),
        "themes": themes,
        "priorities": priorities,
        "demand": {"by_approach": by_approach, "by_sector": by_sector},
        "labels": labels,
        "categories": category_rows(event),
        "meetings": meetings,
        "survey": survey_figures(event),
        "translations": translations,
    }
    data["languages"] = _published_languages(event, data)
    return data


def _discipline_rows(event) -> dict:
    try:
        from fusionforum.meetings.models import MeetingSettings
    except ImportError:  # pragma: no cover
        return {}
    settings = MeetingSettings.objects.filter(event=event).first()
    return {d["key"]: d for d in (settings.disciplines if settings else []) if "key" in d}
