"""Business rules of the outcomes report: building themes from the answers, the organisers'
editorial operations, publication of frozen versions, the survey.

Which answers count and which may be quoted is decided by the call's answer-visibility
policy (``cfp.visibility``: purposes OUTCOMES_COUNT, OUTCOMES_QUOTE, OUTCOMES_EDITOR):

- *public* answers shape themes, are counted and may be quoted;
- *aggregate-only* answers shape themes and are counted, never quoted;
- *confidential* answers never shape a theme (they are not part of the fit), are never
  counted or quoted; they are filed under their nearest theme for the organisers' editor only.

Readers of the report (``latest_published``, ``published_version``) only ever see
``ReportVersion.data``; see ``report.build_data`` for the format.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from fusionforum.cfp import visibility
from fusionforum.cfp.models import Submission
from fusionforum.cfp.visibility import COUNTED_STATES, Purpose
from fusionforum.core import audit, clock, happenings, pagecache
from fusionforum.core.languages import language_codes
from fusionforum.core.text import validate_single_line
from fusionforum.core.translated_fields import localized_names
from fusionforum.registration.models import Registration

from . import clustering
from .models import (
    THEME_QUESTIONS,
    OutcomesReport,
    Priority,
    ReportVersion,
    SurveyResponse,
    Theme,
    ThemeSource,
)


class EditorialError(ValidationError):
    """A refused editorial operation, with a readable message."""


# Reading -----------------------------------------------------------------------------------


def latest_published(event) -> ReportVersion | None:
    """The event's latest published version that has not been withdrawn (its ``data`` is
    ``fusionforum-outcomes/1``), or None before the first publication."""
    return ReportVersion.objects.filter(event=event).order_by("-version").first()


def published_version(event, version: int) -> ReportVersion | None:
    """Version ``version`` of the event's report, withdrawn or not (the caller tells the
    public that a withdrawn one is gone)."""
    return ReportVersion.every.filter(event=event, version=version).first()


def versions(event) -> list[ReportVersion]:
    """Every version, newest first, withdrawn ones included (they say when, by whom, why)."""
    return list(ReportVersion.every.filter(event=event).order_by("-version")
                .select_related("withdrawn_by")
                .only("id", "event_id", "version", "published_at", "comment", "withdrawn_at",
                      "withdrawn_by__email", "withdrawal_reason"))


def report_for(event) -> OutcomesReport:
    report, _ = OutcomesReport.objects.get_or_create(event=event)
    return report


@dataclass
class Answer:
    submission: Submission
    question: str
    text: str
    visibility: str

    @property
    def organisation(self):
        return self.submission.organisation


def current_visibility(submission, question) -> str | None:
    """The answer's visibility now (public, aggregate, confidential), or None when it no
    longer counts at all (the submission is a draft or withdrawn, or the answer is empty).
    The organisers' editor shows it; every public figure, key term, quote and label check
    asks the policy about the answer as it is now (``is_counted``, ``is_quotable``), never the
    visibility recorded when the themes were built."""
    return visibility.outcomes_level(submission, question)


def is_counted(submission, question) -> bool:
    """Whether the answer counts in the report now (public or aggregate-only)."""
    return visibility.may_read(submission, question, None, Purpose.OUTCOMES_COUNT)


def is_quotable(submission, question) -> bool:
    """Whether the report may quote the answer now (public)."""
    return visibility.may_read(submission, question, None, Purpose.OUTCOMES_QUOTE)


def counts_now(source) -> bool:
    """Whether a theme's source answer is counted (public or aggregate-only) now."""
    return is_counted(source.submission, source.question)


def answers(event) -> list[Answer]:
    """Every non-empty answer to questions 2 and 3 of the counted submissions."""
    result = []
    submissions = (Submission.objects.filter(event=event, state__in=COUNTED_STATES)
                   .select_related("organisation").order_by("id"))
    for submission in submissions:
        for question in THEME_QUESTIONS:
            level = visibility.outcomes_level(submission, question)
            if level is not None:
                result.append(Answer(submission, question, getattr(submission, question).strip(),
                                     level))
    return result


# Building themes ---------------------------------------------------------------------------


def build_themes(event, *, by, k: int | None = None) -> OutcomesReport:
    """Replace the working themes by a fresh automatic grouping of the answers. Priorities keep
    their text but lose their links to the old themes (the themes no longer exist)."""
    report = report_for(event)
    items = answers(event)
    counted = [a for a in items if is_counted(a.submission, a.question)]
    hidden = [a for a in items if not is_counted(a.submission, a.question)]
    if len(counted) < 2:
        raise EditorialError(gettext("At least two public or aggregate-only answers are needed to "
                                     "build themes."))
    if k is not None and not 1 <= k <= len(counted):
        raise EditorialError(gettext("The number of themes must be between 1 and %(most)s.")
                             % {"most": len(counted)})
    grouping = clustering.group([a.text for a in counted], fixed_k=k)
    with transaction.atomic():
        Theme.objects.filter(event=event).delete()
        themes = []
        for index in range(grouping.k):
            terms = grouping.key_terms[index]
            themes.append(Theme.objects.create(
                event=event, label=clustering.label_from_terms(terms)[:150], key_terms=terms,
                position=(index + 1) * 10))
        ThemeSource.objects.bulk_create([
            ThemeSource(event=event, theme=themes[label], submission=a.submission,
                        question=a.question, visibility=a.visibility, closeness=closeness)
            for a, label, closeness in zip(counted, grouping.labels, grouping.closeness,
                                           strict=True)
        ])
        placed = clustering.nearest(grouping, [a.text for a in hidden])
        ThemeSource.objects.bulk_create([
            ThemeSource(event=event, theme=themes[label], submission=a.submission,
                        question=a.question, visibility=a.visibility, closeness=closeness)
            for a, (label, closeness) in zip(hidden, placed, strict=True)
        ])
        _order_by_size(event)
        report.built_at = clock.now()
        report.built_by = by
        report.method = {
            "algorithm": "tfidf-lsa-kmeans" if grouping.svd is not None else "tfidf-kmeans",
            "k": grouping.k, "silhouette": (None if grouping.silhouette is None
                                            else round(grouping.silhouette, 4)),
            "candidates": grouping.candidates, "edited": False,
            "answers": len(counted),
        }
        report.save()
        audit.record("outcomes.build_themes", event, actor=by,
                     summary=f"Built {grouping.k} themes from {len(counted)} answers",
                     k=grouping.k)
    return report


def _order_by_size(event) -> None:
    themes = list(Theme.objects.filter(event=event))
    sizes = {t.pk: len(_counted_orgs(t)) for t in themes}
    themes.sort(key=lambda t: (-sizes[t.pk], t.position, t.pk))
    for index, theme in enumerate(themes, start=1):
        Theme.objects.filter(pk=theme.pk).update(position=index * 10)


def _counted_orgs(theme) -> set[int]:
    return {s.submission.organisation_id for s in
            ThemeSource.objects.filter(theme=theme).select_related("submission")
            if counts_now(s)}


def _mark_edited(event) -> None:
    report = report_for(event)
    report.method = {**report.method, "edited": True}
    report.save(update_fields=["method", "updated_at"])


def _theme(event, pk) -> Theme:
    theme = Theme.objects.filter(event=event, pk=pk).first()
    if theme is None:
        raise EditorialError(gettext("No such theme."))
    return theme


def _clean_name(label: str) -> str:
    validate_single_line(label or "")  # before folding spaces: a line break is refused
    label = " ".join((label or "").split())
    if len(label) > 150:
        raise EditorialError(gettext("A theme’s name has at most 150 characters."))
    return label


def set_in_language(obj, field: str, language: str, value: str) -> str:
    """Write the organisers' text of ``field`` in ``language``: its translated column
    (``<field>_<language>``) when the field has them, else the field itself (which then
    holds the event's default language). Returns the column written."""
    column = f"{field}_{language}"
    if hasattr(obj, column):
        setattr(obj, column, value)
        return column
    setattr(obj, field, value)
    return field


def _other_names(theme, event, names: dict[str, str]) -> set[str]:
    """Set the theme's names in the languages other than the default one. An automatic name
    (written in whatever language the editor used when the themes were built) is never kept:
    the first naming clears every language not given."""
    columns = set()
    for code in language_codes():
        column = f"label_{code}"
        if code == event.default_language or not hasattr(theme, column):
            continue
        if code in names:
            columns.add(set_in_language(theme, "label", code, names[code]))
        elif not theme.named_by_organiser:
            columns.add(set_in_language(theme, "label", code, ""))
    return columns


def rename_theme(event, pk, label: str, *, by, translations: dict[str, str] | None = None
                 ) -> Theme:
    """Name a theme: ``label`` in the event's default language (required), ``translations``
    {language: name} in the others (empty: none given, the default one is shown)."""
    label = _clean_name(label)
    if not label:
        raise EditorialError(gettext("Give the theme a name."))
    names = {code: _clean_name(text) for code, text in (translations or {}).items()
             if code != event.default_language}
    theme = _theme(event, pk)
    old = theme.label
    columns = {set_in_language(theme, "label", event.default_language, label)}
    columns |= _other_names(theme, event, names)
    theme.named_by_organiser = True
    theme.save(update_fields=[*sorted(columns), "named_by_organiser"])
    _mark_edited(event)
    audit.record("outcomes.rename_theme", theme, actor=by, summary=f"{old} → {label}")
    return theme


def merge_themes(event, pks, *, by, label: str = "") -> Theme:
    """Merge the themes ``pks`` into the first of them (by position); the others' answers and
    priority links move to it; key terms are recomputed."""
    themes = list(Theme.objects.filter(event=event, pk__in=list(pks)).order_by("position", "id"))
    if len(themes) < 2 or len(themes) != len(set(pks)):
        raise EditorialError(gettext("Choose at least two themes of this report to merge."))
    target, others = themes[0], themes[1:]
    with transaction.atomic():
        ThemeSource.objects.filter(theme__in=others).update(theme=target)
        for priority in Priority.objects.filter(themes__in=others).distinct():
            priority.themes.add(target)
        Theme.objects.filter(pk__in=[t.pk for t in others]).delete()
        _refresh_visibility(ThemeSource.objects.filter(theme=target))
        target.key_terms = _terms_of(target)
        if label.strip():
            validate_single_line(label)  # before folding spaces: a line break is refused
            set_in_language(target, "label", event.default_language,
                            " ".join(label.split())[:150])
            _other_names(target, event, {})
            target.named_by_organiser = True
        target.save()
        _mark_edited(event)
        audit.record("outcomes.merge_themes", target, actor=by,
                     summary=f"Merged {len(themes)} themes into {target.label}")
    return target


def _refresh_visibility(sources) -> None:
    """Record each source's current visibility (the editor and later operations read it);
    an answer that no longer counts (withdrawn, emptied) is kept as confidential: shown to the
    organisers, never part of a fit, a count or a key term."""
    for source in sources.select_related("submission"):
        now = visibility.recorded_level(source.submission, source.question)
        if now != source.visibility:
            source.visibility = now
            source.save(update_fields=["visibility"])


def _terms_of(theme) -> list[str]:
    """Key terms of a theme from the answers that count now, weighted against every answer
    of the event that counts now (as at build time)."""
    from . import report as report_module

    return report_module.current_key_terms(theme.event).get(theme.pk, [])


def split_theme(event, pk, *, by) -> list[Theme]:
    """Re-cluster one theme's answers into two themes (the original keeps the larger part)."""
    theme = _theme(event, pk)
    # The visibility of each answer now, not the one recorded at build time: an answer made
    # confidential since then must not shape the two new themes.
    _refresh_visibility(ThemeSource.objects.filter(theme=theme))
    sources = list(ThemeSource.objects.filter(theme=theme).select_related("submission")
                   .order_by("id"))
    counted = [s for s in sources if is_counted(s.submission, s.question)]
    hidden = [s for s in sources if not is_counted(s.submission, s.question)]
    if len(counted) < 2:
        raise EditorialError(gettext("A theme needs at least two counted answers to be split."))
    grouping = clustering.group([getattr(s.submission, s.question) for s in counted], fixed_k=2)
    if grouping.k < 2:
        raise EditorialError(gettext("These answers cannot be told apart; the theme was not "
                                     "split."))
    sizes = [grouping.labels.count(c) for c in range(2)]
    keep = 0 if sizes[0] >= sizes[1] else 1
    with transaction.atomic():
        Theme.objects.filter(event=event, position__gt=theme.position).update(
            position=models_F("position") + 10)
        new = Theme.objects.create(
            event=event, label=clustering.label_from_terms(grouping.key_terms[1 - keep])[:150],
            key_terms=grouping.key_terms[1 - keep], position=theme.position + 10)
        for source, label, closeness in zip(counted, grouping.labels, grouping.closeness,
                                            strict=True):
            source.theme = theme if label == keep else new
            source.closeness = closeness
            source.save(update_fields=["theme", "closeness"])
        placed = clustering.nearest(grouping, [getattr(s.submission, s.question) for s in hidden])
        for source, (label, closeness) in zip(hidden, placed, strict=True):
            source.theme = theme if label == keep else new
            source.closeness = closeness
            source.save(update_fields=["theme", "closeness"])
        # The larger half keeps its name; the new one has an automatic name until the
        # organiser names it.
        terms = _terms_by_theme(event)
        for item in (theme, new):
            item.key_terms = terms.get(item.pk, [])
            item.save(update_fields=["key_terms"])
        for priority in theme.priorities.all():
            priority.themes.add(new)
        _mark_edited(event)
        audit.record("outcomes.split_theme", theme, actor=by,
                     summary=f"Split {theme.label} into two themes")
    return [theme, new]


def _terms_by_theme(event) -> dict[int, list[str]]:
    from . import report as report_module

    return report_module.current_key_terms(event)


def models_F(name):
    from django.db.models import F

    return F(name)


def move_theme(event, pk, direction: str, *, by) -> None:
    """Move a theme one place up or down."""
    if direction not in ("up", "down"):
        raise EditorialError(gettext("Move a theme up or down."))
    themes = list(Theme.objects.filter(event=event).order_by("position", "id"))
    index = next((i for i, t in enumerate(themes) if str(t.pk) == str(pk)), None)
    if index is None:
        raise EditorialError(gettext("No such theme."))
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(themes):
        themes[index], themes[other] = themes[other], themes[index]
    with transaction.atomic():
        for position, theme in enumerate(themes, start=1):
            Theme.objects.filter(pk=theme.pk).update(position=position * 10)
        _mark_edited(event)
    audit.record("outcomes.move_theme", event, actor=by, summary=f"Theme {pk} {direction}")


def save_narrative(event, *, by, **fields) -> OutcomesReport:
    """``title``/``narrative`` are the active language's; ``title_en=``, ``narrative_fr=``…
    each language's (see translation.py)."""
    report = report_for(event)
    for name in ("title", "narrative", *localized_names("title"), *localized_names("narrative"),
                 "licence", "attribution"):
        if name in fields:
            setattr(report, name, fields[name])
    report.full_clean()
    report.save()
    audit.record("outcomes.save_report", report, actor=by, summary="Narrative and licence")
    return report


def save_priority(event, *, by, priority: Priority | None = None, title: str,
                  description: str = "", feasibility: int = 3, theme_pks=()) -> Priority:
    themes = list(Theme.objects.filter(event=event, pk__in=list(theme_pks)))
    if len(themes) != len(set(theme_pks)):
        raise EditorialError(gettext("A priority can only rest on this report’s themes."))
    priority = priority or Priority(event=event)
    if priority.event_id != event.pk:
        raise EditorialError(gettext("No such priority."))
    priority.title = " ".join((title or "").split())
    priority.description = description or ""
    priority.feasibility = feasibility
    priority.full_clean()
    with transaction.atomic():
        priority.save()
        priority.themes.set(themes)
        audit.record("outcomes.save_priority", priority, actor=by, summary=priority.title)
    return priority


def delete_priority(event, pk, *, by) -> None:
    deleted, _ = Priority.objects.filter(event=event, pk=pk).delete()
    if not deleted:
        raise EditorialError(gettext("No such priority."))
    audit.record("outcomes.delete_priority", event, actor=by, summary=f"Priority {pk}")


# Publication -------------------------------------------------------------------------------


def publish(event, *, by, comment: str = "") -> ReportVersion:
    """Freeze the working copy as the next numbered version. Everything public is derived
    again from each answer's visibility at this moment (``report.build_data``). Refused
    without themes, while a theme that would be published has an automatic name or a name
    with a word of an answer the public may not read, or when nothing changed since the
    latest version that was not withdrawn."""
    from . import report as report_module

    _require_organiser(event, by)

    # The comment is read straight from the POST body: the input policy applies here.
    validate_single_line(comment or "")
    if not Theme.objects.filter(event=event).exists():
        raise EditorialError(gettext("Build the themes before publishing."))
    comment = " ".join((comment or "").split())[:300]
    with transaction.atomic():
        # Serialise concurrent publications of one event on its report row.
        OutcomesReport.objects.select_for_update().filter(event=event).first()
        problems = report_module.label_problems(event)
        if problems:
            raise EditorialError([gettext("Not published: the public sees only names you gave the "
                                          "themes."), *problems])
        previous = latest_published(event)
        number = (ReportVersion.every.filter(event=event).aggregate(m=Max("version"))["m"]
                  or 0) + 1
        data = report_module.build_data(event, version=number, published_at=clock.now())
        if not data["themes"]:
            raise EditorialError(gettext("No theme has a counted answer any more: nothing to "
                                         "publish."))
        if previous is not None and _same(previous.data, data):
            raise EditorialError(gettext("Nothing changed since version %(number)s; nothing to "
                                         "publish.") % {"number": previous.version})
        version = ReportVersion.objects.create(event=event, version=number,
                                               published_at=clock.now(), published_by=by,
                                               comment=comment, data=data)
        audit.record("outcomes.publish", version, actor=by, summary=f"Version {number}")
        # Cached public pages show the "Outcomes" menu item from now on: at once and again
        # after the commit (a page rendered in between would otherwise be kept).
        pagecache.invalidate()
        transaction.on_commit(pagecache.invalidate)
        happenings.announce("outcomes.published", version, event=event)
    return version


def withdraw(event, number: int, *, by, reason: str) -> ReportVersion:
    """Withdraw published version ``number``: its content stays frozen (for the record) but
    no public address serves it any more (410 Gone), comparisons stop reading it, and the
    latest version not withdrawn becomes the current one. The reason is shown to the public
    with the date."""
    _require_organiser(event, by)
    # Checked before spaces are folded: folding would quietly turn a line break or a control
    # character that str.split counts as a space into a space.
    validate_single_line(reason or "")
    reason = " ".join((reason or "").split())
    if not reason:
        raise EditorialError(gettext("Say why the version is withdrawn: the public reads the "
                                     "reason."))
    if len(reason) > 300:
        raise EditorialError(gettext("The reason has at most 300 characters."))
    with transaction.atomic():
        OutcomesReport.objects.select_for_update().filter(event=event).first()
        version = (ReportVersion.every.select_for_update()
                   .filter(event=event, version=number).first())
        if version is None:
            raise EditorialError(gettext("No such version."))
        if version.withdrawn_at is not None:
            raise EditorialError(gettext("Version %(number)s was already withdrawn.")
                                 % {"number": number})
        version.withdrawn_at = clock.now()
        version.withdrawn_by = by
        version.withdrawal_reason = reason
        version.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        audit.record("outcomes.withdraw", version, actor=by,
                     summary=f"Version {number} withdrawn: {reason}")
        # Cached public pages may list the report (the menu): at once and after the commit.
        pagecache.invalidate()
        transaction.on_commit(pagecache.invalidate)
    return version


def may_edit(event, user) -> bool:
    """Whether ``user`` is one of the event's organisers (may edit and publish the report)."""
    return bool(user is not None and user.is_authenticated
                and user.has_perm("outcomes.manage_report", event))


def _require_organiser(event, user) -> None:
    if not may_edit(event, user):
        raise EditorialError(gettext("Only the event’s organisers can do this."))


def _same(old: dict, new: dict) -> bool:
    ignore = {"version", "published_at"}
    return ({k: v for k, v in old.items() if k not in ignore}
            == {k: v for k, v in new.items() if k not in ignore})


# Survey ------------------------------------------------------------------------------------


def survey_organisation(event, user):
    """The organisation a signed-in person answers the survey for: their confirmed (or
    checked-in) registration's organisation, else None."""
    if not user.is_authenticated:
        return None
    registration = (Registration.objects.filter(event=event, user=user)
                    .select_related("organisation").order_by("-id").first())
    if registration is None or registration.status != "confirmed":
        return None
    return registration.organisation


def answer_survey(event, user, *, usefulness: int, likely_to_engage: int,
                  meetings_rating: int | None = None, comments: str = "") -> SurveyResponse:
    organisation = survey_organisation(event, user)
    if organisation is None:
        raise EditorialError(gettext("Only confirmed participants can answer the survey."))
    response, _ = SurveyResponse.objects.update_or_create(
        event=event, organisation=organisation,
        defaults={"respondent": user, "usefulness": usefulness,
                  "likely_to_engage": likely_to_engage, "meetings_rating": meetings_rating,
                  "comments": comments, "submitted_at": clock.now()})
    response.full_clean()
    audit.record("outcomes.survey", response, actor=user, summary="Survey answered")
    return response
