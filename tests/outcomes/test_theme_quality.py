"""How well the grouping finds themes: a synthetic labelled set built from the event's default
categories (each answer is written about one category; the category is the true label),
grouped without being told the labels nor their number; agreement by adjusted Rand index."""

from __future__ import annotations

import random

from sklearn.metrics import adjusted_rand_score

from fusionforum.cfp.categories import DEFAULT_CATEGORIES
from fusionforum.outcomes import clustering

OPENINGS = ["Our main difficulty is", "What remains hard for us is", "We would value help on",
            "The open question for our device is", "We still struggle with",
            "Progress depends on"]
FILLERS = ["before the next prototype", "within our budget", "at the scale of a power plant",
           "with a small engineering staff", "under tight schedules", "for the first machine"]
STOP = {"and"}


def synthetic_set(categories, per_category: int = 8, seed: int = 7):
    """Answers that mention a category's own words (from its name) in varied sentences, plus
    shared filler; the label is the category's index."""
    rng = random.Random(seed)
    texts, labels = [], []
    for label, name in enumerate(categories):
        words = [w for w in name.lower().split() if w not in STOP]
        for _ in range(per_category):
            chosen = rng.sample(words, k=min(len(words), rng.randint(1, 2)))
            sentence = (f"{rng.choice(OPENINGS)} {' and '.join(chosen)} "
                        f"{rng.choice(FILLERS)}, {rng.choice(words)} in particular "
                        f"{rng.choice(FILLERS)}.")
            texts.append(sentence)
            labels.append(label)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [labels[i] for i in order]


def test_grouping_agrees_with_categories():
    categories = DEFAULT_CATEGORIES[:8]
    texts, truth = synthetic_set(categories)
    grouping = clustering.group(texts, k_max=12)
    ari = adjusted_rand_score(truth, grouping.labels)
    print(f"\nTheme grouping on {len(texts)} synthetic answers from {len(categories)} "
          f"categories: k chosen = {grouping.k} (silhouette {grouping.silhouette:.3f}), "
          f"adjusted Rand index = {ari:.3f}")
    assert ari >= 0.8
    # Deterministic: the same texts give the same themes.
    assert clustering.group(texts, k_max=12).labels == grouping.labels


def test_every_default_category_set():
    texts, truth = synthetic_set(DEFAULT_CATEGORIES, per_category=6, seed=11)
    grouping = clustering.group(texts, k_max=20)
    ari = adjusted_rand_score(truth, grouping.labels)
    print(f"\nAll {len(DEFAULT_CATEGORIES)} categories, {len(texts)} answers: "
          f"k = {grouping.k}, adjusted Rand index = {ari:.3f}")
    assert ari >= 0.8
