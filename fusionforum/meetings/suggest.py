"""Which experts fit an organisation's topic: TF-IDF (scikit-learn) over the experts' profiles.

Each expert is one document: their disciplines (labels, weighted by repetition), specialities
(keywords), title, department and bio. The query is the topic the organisation writes, plus the
"how can ITER help" answers of its own call submissions (its own data, whatever their
visibility; never another organisation's). Experts are ranked by cosine similarity; the reason
shown is what of the expert's profile the query matched: disciplines and specialities whose
terms occur in the query ("Magnets, HTS cable testing").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from fusionforum.cfp.models import Submission
from fusionforum.cfp.visibility import Purpose, visible_answers

from .models import Expert


@dataclass
class Suggestion:
    expert: Expert
    score: float
    reason: str


def organisation_context(event, organisation) -> str:
    """The organisation's own answers to "how can ITER help" (any visibility: its own data;
    the call's policy, purpose EXPERT_MATCHING)."""
    if organisation is None:
        return ""
    submissions = (Submission.objects.filter(event=event, organisation=organisation)
                   .exclude(iter_help=""))
    return "\n".join(answer.text for submission in submissions
                     for answer in visible_answers(submission, organisation,
                                                   Purpose.EXPERT_MATCHING,
                                                   questions=("iter_help",)))


def _document(expert: Expert, labels: dict[str, str]) -> str:
    disciplines = " ".join(labels.get(k, k.replace("_", " ")) for k in expert.disciplines)
    return " ".join([disciplines, disciplines, expert.keywords, expert.keywords, expert.title,
                     expert.department, expert.bio])


def rank(event, text: str, *, organisation=None, limit: int = 5,
         include_context: bool = True) -> list[Suggestion]:
    # scikit-learn takes about a second to import: only ranking needs it, not every process
    # that starts Django.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    query = text or ""
    if include_context:
        query = f"{query}\n{organisation_context(event, organisation)}"
    experts = list(Expert.objects.filter(event=event, is_active=True).order_by("name", "pk"))
    if not experts or not query.strip():
        return []
    meeting_settings = getattr(event, "meeting_settings", None)
    labels = {d["key"]: d["label"] for d in (meeting_settings.disciplines
                                             if meeting_settings else [])}
    vectorizer = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True,
                                 strip_accents="unicode")
    try:
        matrix = vectorizer.fit_transform([_document(e, labels) for e in experts])
    except ValueError:  # every profile empty
        return []
    scores = linear_kernel(vectorizer.transform([query]), matrix).ravel()
    analyse = vectorizer.build_analyzer()
    query_terms = set(analyse(query))
    ranked = sorted(range(len(experts)), key=lambda i: (-scores[i], experts[i].name))
    result = []
    for i in ranked:
        if scores[i] <= 0:
            break
        expert = experts[i]
        matched = [labels.get(k, k.replace("_", " ")) for k in expert.disciplines
                   if set(analyse(labels.get(k, k))) & query_terms]
        matched += [k for k in expert.keyword_list if set(analyse(k)) & query_terms]
        reason = ", ".join(dict.fromkeys(matched)) or _("profile matches your topic")
        result.append(Suggestion(expert, float(scores[i]), reason[:160]))
        if len(result) >= limit:
            break
    return result
