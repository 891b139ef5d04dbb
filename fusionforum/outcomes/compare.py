"""Compare two editions through their latest *published* outcomes reports.

Only the frozen, public report data (``fusionforum-outcomes/1``) is read: never the working
copy, the answers, or anything confidential. ``compare_reports(before, after)`` is a pure
function over two such documents; ``compare_events(a, b)`` fetches them.

Matching themes
    Each theme becomes a text: its label plus its key terms. A TF-IDF model (scikit-learn,
    fitted on the themes of both reports, English stop words removed, unigrams and bigrams,
    sublinear term frequency) gives vectors; the similarity of two themes is the mean of the
    cosine of their vectors and the Jaccard index of their word sets (label and key terms,
    stop words removed); an unchanged label scores 1. Pairs are matched one to one, greedily
    by decreasing similarity (ties broken by the two labels, so the result never depends on
    input order), and only when the similarity is at least ``MATCH_THRESHOLD`` (0.30): lower
    scores come from a single shared generic word ("plasma", "testing"), not the same subject.

Grew, shrank, steady
    A theme's size is its share of the organisations behind the report (organisations behind the
    theme / organisations that answered). A matched theme *grew* when its share rose by at least
    ``CHANGE_THRESHOLD`` (5 percentage points), *shrank* when it fell by at least that much,
    else it is *steady*. Unmatched themes of the later report *appeared*; of the earlier one
    *disappeared*. Shares, not counts, so that a larger edition does not make every theme grow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext

MATCH_THRESHOLD = 0.30
CHANGE_THRESHOLD = 0.05

_WORD = re.compile(r"[a-z0-9][a-z0-9\-]+")


class NoPublishedReport(Exception):
    def __init__(self, event):
        self.event = event
        super().__init__(f"{event} has no published outcomes report.")


# --- reading a published report (tolerant of optional parts) --------------------------------

def _dig(data, *path, default=None):
    for key in path:
        if isinstance(data, dict) and key in data:
            data = data[key]
        else:
            return default
    return data


def _first(data, paths, default=None):
    for path in paths:
        value = _dig(data, *path)
        if value is not None:
            return value
    return default


def total_organisations(data: dict) -> int:
    value = _first(data, [("inputs", "organisations"), ("totals", "organisations")])
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, list):
        return len(value)
    return 0


def theme_organisations(theme: dict) -> int:
    value = _first(theme, [("organisations",), ("organisations", "count")])
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, list):
        return len(value)
    return 0


def theme_share(theme: dict, total: int) -> float:
    share = _first(theme, [("share",)])
    if isinstance(share, (int, float)) and 0 <= share <= 1:
        return float(share)
    count = theme_organisations(theme)
    return count / total if total else 0.0


def theme_terms(theme: dict) -> list[str]:
    terms = theme.get("key_terms") or theme.get("terms") or []
    return [str(t) for t in terms if isinstance(t, (str, int, float))]


def theme_label(theme: dict) -> str:
    return str(theme.get("label") or theme.get("title") or theme.get("id") or "")


# --- similarity ------------------------------------------------------------------------------

def _text(theme: dict) -> str:
    return " ".join([theme_label(theme), *theme_terms(theme)])


def _words(text: str) -> set[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return {w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS}


def _same_label(a: dict, b: dict) -> bool:
    la, lb = " ".join(theme_label(a).lower().split()), " ".join(theme_label(b).lower().split())
    return bool(la) and la == lb


def similarity_matrix(before: list[dict], after: list[dict]) -> list[list[float]]:
    if not before or not after:
        return [[0.0] * len(after) for _ in before]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    texts = [_text(t) for t in before] + [_text(t) for t in after]
    try:
        vectors = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True,
                                  token_pattern=r"(?u)\b[a-zA-Z0-9][a-zA-Z0-9\-]+\b"
                                  ).fit_transform(texts)
        cosine = cosine_similarity(vectors[: len(before)], vectors[len(before):])
    except ValueError:  # nothing but stop words
        cosine = [[0.0] * len(after) for _ in before]
    words_before = [_words(t) for t in texts[: len(before)]]
    words_after = [_words(t) for t in texts[len(before):]]
    out = []
    for i, wb in enumerate(words_before):
        row = []
        for j, wa in enumerate(words_after):
            union = wb | wa
            jaccard = len(wb & wa) / len(union) if union else 0.0
            score = (float(cosine[i][j]) + jaccard) / 2
            if _same_label(before[i], after[j]):
                score = 1.0  # a kept label is the same theme, whatever its words
            row.append(round(score, 6))
        out.append(row)
    return out


def match_themes(before: list[dict], after: list[dict],
                 threshold: float = MATCH_THRESHOLD) -> list[tuple[int, int, float]]:
    """One-to-one pairs (index before, index after, similarity), best first."""
    sims = similarity_matrix(before, after)
    candidates = sorted(
        ((sims[i][j], i, j) for i in range(len(before)) for j in range(len(after))
         if sims[i][j] >= threshold),
        key=lambda c: (-c[0], theme_label(before[c[1]]).lower(), theme_label(after[c[2]]).lower(),
                       c[1], c[2]),
    )
    used_b: set[int] = set()
    used_a: set[int] = set()
    pairs = []
    for score, i, j in candidates:
        if i in used_b or j in used_a:
            continue
        used_b.add(i)
        used_a.add(j)
        pairs.append((i, j, score))
    return pairs


# --- comparison ------------------------------------------------------------------------------

@dataclass
class ThemeChange:
    status: str  # grew, shrank, steady, appeared, disappeared
    label_before: str | None
    label_after: str | None
    share_before: float | None
    share_after: float | None
    organisations_before: int | None
    organisations_after: int | None
    similarity: float | None
    key_terms: list[str]

    @property
    def delta(self) -> float | None:
        if self.share_before is None or self.share_after is None:
            return None
        return self.share_after - self.share_before

    @property
    def delta_points(self) -> int | None:
        d = self.delta
        return None if d is None else round(d * 100)

    def as_dict(self) -> dict:
        return {
            "status": self.status, "label_before": self.label_before,
            "label_after": self.label_after,
            "share_before": None if self.share_before is None else round(self.share_before, 4),
            "share_after": None if self.share_after is None else round(self.share_after, 4),
            "organisations_before": self.organisations_before,
            "organisations_after": self.organisations_after,
            "similarity": self.similarity, "key_terms": self.key_terms,
        }


def _status(share_before: float, share_after: float) -> str:
    delta = share_after - share_before
    if delta >= CHANGE_THRESHOLD - 1e-9:
        return "grew"
    if delta <= -CHANGE_THRESHOLD + 1e-9:
        return "shrank"
    return "steady"


def headline(data: dict) -> dict:
    """Headline figures of one published report: submissions, organisations (in all and by
    approach) and meetings held."""
    submissions = _dig(data, "inputs", "submissions")
    by_approach = _as_counts(_dig(data, "demand", "by_approach", default={}))
    names = _dig(data, "labels", "approach", default={})
    if isinstance(names, dict):
        by_approach = {str(names.get(k, k)): v for k, v in by_approach.items()}
    meetings_held = _dig(data, "meetings", "held")
    if _dig(data, "meetings", "published") is False:
        meetings_held = None
    return {
        "submissions": submissions if isinstance(submissions, int) else None,
        "organisations": total_organisations(data),
        "by_approach": by_approach,
        "meetings_held": meetings_held if isinstance(meetings_held, int) else None,
    }


def _as_counts(value) -> dict[str, int]:
    """{"label": n} from a dict or a list of {"label"/"key"/"approach", "count"/"organisations"}."""
    out: dict[str, int] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (int, float)):
                out[str(k)] = int(v)
            elif isinstance(v, dict) and isinstance(v.get("count"), (int, float)):
                out[str(v.get("label") or k)] = int(v["count"])
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, dict):
                continue
            name = item.get("label") or item.get("approach") or item.get("key")
            count = item.get("organisations", item.get("count"))
            if name is not None and isinstance(count, (int, float)):
                out[str(name)] = int(count)
    return out


def compare_reports(before: dict, after: dict) -> dict:
    """Theme changes and headline figures between two published report documents."""
    themes_b = [t for t in (before.get("themes") or []) if isinstance(t, dict)]
    themes_a = [t for t in (after.get("themes") or []) if isinstance(t, dict)]
    total_b, total_a = total_organisations(before), total_organisations(after)
    changes: list[ThemeChange] = []
    matched_b: set[int] = set()
    matched_a: set[int] = set()
    for i, j, score in match_themes(themes_b, themes_a):
        tb, ta = themes_b[i], themes_a[j]
        sb, sa = theme_share(tb, total_b), theme_share(ta, total_a)
        changes.append(ThemeChange(_status(sb, sa), theme_label(tb), theme_label(ta), sb, sa,
                                   theme_organisations(tb), theme_organisations(ta),
                                   round(score, 3), theme_terms(ta)))
        matched_b.add(i)
        matched_a.add(j)
    for j, ta in enumerate(themes_a):
        if j not in matched_a:
            changes.append(ThemeChange("appeared", None, theme_label(ta), None,
                                       theme_share(ta, total_a), None, theme_organisations(ta),
                                       None, theme_terms(ta)))
    for i, tb in enumerate(themes_b):
        if i not in matched_b:
            changes.append(ThemeChange("disappeared", theme_label(tb), None,
                                       theme_share(tb, total_b), None, theme_organisations(tb),
                                       None, None, theme_terms(tb)))
    order = {"grew": 0, "appeared": 1, "shrank": 2, "disappeared": 3, "steady": 4}
    changes.sort(key=lambda c: (order[c.status], -abs(c.delta or c.share_after
                                                       or c.share_before or 0),
                                (c.label_after or c.label_before or "").lower()))
    groups = {status: [c for c in changes if c.status == status] for status in order}
    hb, ha = headline(before), headline(after)
    approaches = sorted(set(hb["by_approach"]) | set(ha["by_approach"]))
    figures = [
        _figure(gettext("Submissions"), hb["submissions"], ha["submissions"]),
        _figure(gettext("Organisations behind the report"), hb["organisations"],
                ha["organisations"]),
        *[_figure(gettext("Organisations: %(approach)s") % {"approach": gettext(name)},
                  hb["by_approach"].get(name, 0), ha["by_approach"].get(name, 0))
          for name in approaches],
        _figure(gettext("Expert meetings held"), hb["meetings_held"], ha["meetings_held"]),
    ]
    return {"changes": changes, "groups": groups, "figures": figures,
            "match_threshold": MATCH_THRESHOLD, "change_threshold": CHANGE_THRESHOLD}


def _figure(label, before, after) -> dict:
    delta = after - before if isinstance(before, int) and isinstance(after, int) else None
    return {"label": label, "before": before, "after": after, "delta": delta}


# --- events ----------------------------------------------------------------------------------

def published_data(event) -> tuple[dict, object]:
    """The latest published report's data and its version object; NoPublishedReport if none."""
    from fusionforum.outcomes.services import latest_published

    version = latest_published(event)
    if version is None:
        raise NoPublishedReport(event)
    data = getattr(version, "data", version)
    if not isinstance(data, dict):
        raise NoPublishedReport(event)
    return data, version


def compare_events(before_event, after_event) -> dict:
    data_b, version_b = published_data(before_event)
    data_a, version_a = published_data(after_event)
    result = compare_reports(data_b, data_a)
    result.update({"before": before_event, "after": after_event,
                   "version_before": version_b, "version_after": version_a})
    return result
