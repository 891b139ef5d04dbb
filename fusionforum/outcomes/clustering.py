"""Grouping free-text answers into themes (scikit-learn, no Django).

TF-IDF over words (English and domain stop words removed, sublinear term frequency), rows
normalised (cosine geometry), then k-means for every k in a range; the k with the best
silhouette (cosine) wins. Key terms come from words and word pairs shared by at least two
answers of a theme. Everything is
seeded, so the same texts always give the same themes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

# scikit-learn takes about a second to import, and every process that starts Django imports
# this module (the outcomes services); only building themes needs it, so it is imported there.
if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

SEED = 20270526
# Words every answer to these questions uses; they say nothing about a theme.
DOMAIN_STOP_WORDS = {
    "iter", "fusion", "help", "helps", "need", "needs", "needed", "would", "could", "also",
    "company", "companies", "organisation", "our", "us", "we", "challenge", "challenges",
    "remain", "remains", "remaining", "main", "key", "still", "like", "want", "way", "ways",
    "access", "support", "work", "working", "programme", "program", "plant", "pilot",
    "synthetic", "demo", "team", "teams", "year", "years", "hardest", "problem", "problems",
    "able", "built", "build", "case", "explain", "contribute", "introduce", "establish",
    "useful", "time", "fast", "happens", "inside", "face", "finding", "know", "ask", "asks",
    "today", "currently", "making", "make", "especially", "particular", "lot", "lots",
    "really", "important", "help us", "share", "contact", "designs", "design",
}


@functools.cache
def stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | DOMAIN_STOP_WORDS)


@dataclass
class Grouping:
    labels: list[int]                     # cluster of each input text
    k: int
    silhouette: float | None
    candidates: list[dict] = field(default_factory=list)   # [{"k", "silhouette"}]
    key_terms: list[list[str]] = field(default_factory=list)  # per cluster, best first
    closeness: list[float] = field(default_factory=list)   # per text, cosine to its centre
    vectorizer: TfidfVectorizer | None = None
    centres: np.ndarray | None = None     # in TF-IDF space, per cluster
    svd: object | None = None


TOKENS = r"(?u)\b[a-zA-Z][a-zA-Z-]{2,}\b"


def _vectorizer() -> TfidfVectorizer:
    """Words only for grouping: word pairs make short answers look unlike each other and
    push the silhouette towards too many themes (measured on the labelled synthetic set)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(stop_words=stop_words(), ngram_range=(1, 1), sublinear_tf=True,
                           min_df=1, max_df=0.5, token_pattern=TOKENS, lowercase=True)


def _term_vectorizer() -> TfidfVectorizer:
    """Words and word pairs for the key terms ("control software" reads better)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(stop_words=stop_words(), ngram_range=(1, 2), sublinear_tf=True,
                           min_df=1, max_df=0.6, token_pattern=TOKENS, lowercase=True)


def _embed(matrix, n_texts: int):
    """The normalised TF-IDF rows (cosine geometry). A latent semantic projection was tried
    and grouped the labelled synthetic set worse."""
    from sklearn.preprocessing import normalize

    return normalize(matrix.toarray()), None


def top_terms(vectorizer, rows, count: int = 6, owners: list | None = None) -> list[str]:
    """The terms with the highest mean TF-IDF weight over ``rows``, a phrase before the words
    it contains. Only terms used by at least two of the answers: a word of a single answer
    (which might be an aggregate-only one, never to be quoted) is not a theme's key term.
    With ``owners`` (who wrote each row), at least two different owners: two answers of one
    organisation are still one organisation's wording."""
    names = vectorizer.get_feature_names_out()
    weights = np.asarray(rows.mean(axis=0)).ravel()
    present = rows > 0
    if owners is None:
        shared = np.asarray(present.sum(axis=0)).ravel() >= 2
    else:
        by_owner = {}
        for index, owner in enumerate(owners):
            row = np.asarray(present[index].todense()).ravel()
            by_owner[owner] = by_owner.get(owner, False) | row
        shared = (np.sum(list(by_owner.values()), axis=0) >= 2) if by_owner else \
            np.zeros(len(names), dtype=bool)
    weights = np.where(shared, weights, 0)
    order = np.argsort(-weights, kind="stable")
    chosen: list[str] = []
    for index in order:
        if weights[index] <= 0 or len(chosen) >= count:
            break
        term = str(names[index])
        if any(term in other.split() or other in term.split() for other in chosen):
            continue
        chosen.append(term)
    return chosen


def label_from_terms(terms: list[str]) -> str:
    if not terms:
        return "Other"
    words = terms[:3]
    label = ", ".join(words)
    return label[:1].upper() + label[1:]


def group(texts: list[str], *, k_min: int = 2, k_max: int = 10, fixed_k: int | None = None
          ) -> Grouping:
    """Group ``texts``; k chosen by silhouette in [k_min, k_max] unless ``fixed_k``."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import silhouette_score

    n = len(texts)
    if n == 0:
        return Grouping(labels=[], k=0, silhouette=None)
    vectorizer = _vectorizer()
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words
        vectorizer = TfidfVectorizer(min_df=1)
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:
            return Grouping(labels=[0] * n, k=1, silhouette=None, key_terms=[[]],
                            closeness=[1.0] * n)
    if n < 3:
        labels = [0] * n if fixed_k in (None, 1) or n == 1 else list(range(n))
        k = max(labels) + 1
        return _finish(texts, vectorizer, matrix, labels, k, None, [], None)
    points, svd = _embed(matrix, n)
    # Silhouette grows with k on short texts; a theme should gather about four answers.
    upper = min(k_max, n - 1, max(2, n // 4))
    ks = [fixed_k] if fixed_k else list(range(max(2, k_min), max(2, upper) + 1))
    best = None
    candidates = []
    for k in ks:
        k = max(1, min(k, n))
        model = KMeans(n_clusters=k, n_init=10, random_state=SEED)
        labels = model.fit_predict(points)
        distinct = len(set(labels))
        score = (float(silhouette_score(points, labels, metric="cosine"))
                 if 1 < distinct < n else None)
        candidates.append({"k": k, "silhouette": None if score is None else round(score, 4)})
        if best is None or (score is not None and (best[1] is None or score > best[1] + 1e-9)):
            best = (k, score, labels)
    k, score, labels = best
    return _finish(texts, vectorizer, matrix, [int(x) for x in labels], k, score, candidates, svd)


def _renumber(labels: list[int]) -> list[int]:
    """Cluster numbers in order of first appearance, so the result never depends on k-means'
    internal numbering."""
    mapping: dict[int, int] = {}
    for label in labels:
        mapping.setdefault(label, len(mapping))
    return [mapping[label] for label in labels]


def _finish(texts, vectorizer, matrix, labels, k, score, candidates, svd) -> Grouping:
    from sklearn.preprocessing import normalize

    labels = _renumber(labels)
    k = max(labels) + 1 if labels else 0
    rows = normalize(matrix)
    term_vectorizer = _term_vectorizer()
    try:
        term_matrix = term_vectorizer.fit_transform(texts)
    except ValueError:
        term_vectorizer, term_matrix = vectorizer, matrix
    centres = []
    terms = []
    for cluster in range(k):
        members = [i for i, label in enumerate(labels) if label == cluster]
        sub = rows[members]
        centre = np.asarray(sub.mean(axis=0)).ravel()
        norm = np.linalg.norm(centre)
        centres.append(centre / norm if norm else centre)
        terms.append(top_terms(term_vectorizer, term_matrix[members]))
    centres_arr = np.vstack(centres) if centres else None
    closeness = []
    for i, label in enumerate(labels):
        row = rows[i].toarray().ravel()
        closeness.append(float(row @ centres_arr[label]) if centres_arr is not None else 0.0)
    return Grouping(labels=labels, k=k, silhouette=score, candidates=candidates, key_terms=terms,
                    closeness=closeness, vectorizer=vectorizer, centres=centres_arr, svd=svd)


def terms_of_groups(texts: list[str], groups: list[list[int]], owners: list) -> list[list[str]]:
    """Key terms of each group of ``texts`` (indexes), weighted against all ``texts`` as at
    build time: only terms that the texts of at least two owners (organisations) use."""
    if not texts:
        return [[] for _ in groups]
    vectorizer = _term_vectorizer()
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return [[] for _ in groups]
    return [top_terms(vectorizer, matrix[members], owners=[owners[i] for i in members])
            if len(members) >= 2 else [] for members in groups]


def words(text: str) -> set[str]:
    """The distinctive words of ``text`` (lower case, stop words left out), as the grouping
    sees them."""
    import re

    stop = set(stop_words())
    return {w for w in (m.lower() for m in re.findall(TOKENS, text or "")) if w not in stop}


def nearest(grouping: Grouping, texts: list[str]) -> list[tuple[int, float]]:
    """The closest cluster (and cosine) of each of ``texts``, without refitting: used to file
    confidential answers for the organisers without letting them shape any theme."""
    from sklearn.preprocessing import normalize

    if not texts or grouping.vectorizer is None or grouping.centres is None:
        return [(0, 0.0) for _ in texts]
    rows = normalize(grouping.vectorizer.transform(texts)).toarray()
    sims = rows @ grouping.centres.T
    return [(int(np.argmax(s)), float(np.max(s))) for s in sims]
