"""Only the answer-visibility policy (cfp/visibility.py) reads an answer's visibility: no other
module or template compares the levels, reads the ``<question>_visibility`` fields or prints
their labels, nor reads an answer's text by its field. A new page, export or report that
needs to know asks the policy."""

from __future__ import annotations

import re
from pathlib import Path

import fusionforum

ROOT = Path(fusionforum.__file__).parent
FIELDS = r"(?:breakthroughs|challenges|iter_help)_visibility"

# What deciding by the level looks like in Python.
PYTHON_RULES = {
    # (registration's Question.Visibility is another thing: who sees a registration answer)
    "names a level": re.compile(
        r"(?<!Question\.)\bVisibility\.(?:PUBLIC|AGGREGATE|CONFIDENTIAL)\b"),
    "builds a level": re.compile(r"(?<!class )\bVisibility\("),
    "reads a visibility field": re.compile(rf"\.{FIELDS}\b|get_{FIELDS}_display"
                                           r"|getattr\([^)]*_visibility"),
    "compares with a level's value": re.compile(
        r"(?:==|!=|\bin)\s*[(\[{]?\s*[\"'](?:public|aggregate|confidential)[\"']"
        r"|[\"'](?:public|aggregate|confidential)[\"']\s*(?:==|!=)"),
    "reads the level another way": re.compile(r"\banswer_visibility\b|\blevel_of\("),
    # The text too: what a reader gets comes from visible_answers, with the level checked.
    "reads an answer's text": re.compile(r"\.(?:breakthroughs|challenges|iter_help)\b"),
}
# What deciding by the level looks like in a template.
TEMPLATE_RULES = {
    "reads a visibility field": re.compile(rf"(?<!form)\.{FIELDS}\b|get_{FIELDS}_display"),
    "compares with a level's value": re.compile(
        r"==\s*[\"'](?:public|aggregate|confidential)[\"']"),
    "reads an answer's text": re.compile(
        r"(?<!form)(?<!answers)\.(?:breakthroughs|challenges|iter_help)\b"),
}

# Modules that may, and why. Keep this short: everything else asks the policy.
ALLOWED = {
    "cfp/visibility.py": "the policy itself",
    "cfp/models.py": "the fields and their choices",
    "cfp/services.py": "validates and stores the level the authors chose",
    "cfp/demo.py": "writes the synthetic call's levels",
}


def _allowed(relative: str) -> bool:
    return relative in ALLOWED or "/migrations/" in relative


def _findings(suffixes, rules) -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in suffixes:
            continue
        relative = path.relative_to(ROOT).as_posix()
        if _allowed(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for reason, pattern in rules.items():
                if pattern.search(line):
                    found.append(f"{relative}:{number}: {reason}: {line.strip()}")
    return found


def test_no_module_reads_an_answers_visibility():
    found = _findings({".py"}, PYTHON_RULES)
    assert not found, "Ask fusionforum.cfp.visibility instead:\n" + "\n".join(found)


def test_no_template_reads_an_answers_visibility():
    found = _findings({".html", ".txt"}, TEMPLATE_RULES)
    assert not found, "Give the template what the policy returns:\n" + "\n".join(found)


def test_the_rules_catch_what_they_are_for():
    """The patterns above find the ways the levels used to be read."""
    samples = [
        'if getattr(submission, f"{key}_visibility") != Visibility.PUBLIC:',
        "hidden = [a for a in items if a.visibility == Visibility.CONFIDENTIAL]",
        's.iter_help, s.get_iter_help_visibility_display(),',
        'quotable += sum(1 for q in visible if submission.answer_visibility(q) == "public")',
        '"label": Visibility(submission.answer_visibility(q.key)).label',
    ]
    for sample in samples:
        assert any(rule.search(sample) for rule in PYTHON_RULES.values()), sample
    for sample in ['{% elif source.visibility_now == "confidential" %}',
                   "{{ submission.get_challenges_visibility_display }}",
                   "{{ source.submission.iter_help|truncatechars:400 }}",
                   "visibility-{{ submission.challenges_visibility }}"]:
        assert any(rule.search(sample) for rule in TEMPLATE_RULES.values()), sample
    for sample in ["{% include f with field=form.challenges_visibility %}",
                   "{% include f with field=form.iter_help %}",
                   "{% with answer=answers.iter_help %}{{ answer.text }}"]:
        assert not any(rule.search(sample) for rule in TEMPLATE_RULES.values()), sample
