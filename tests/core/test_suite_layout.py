"""Tests live by subject: in the folder of the app or area they test (``tests/core``,
``tests/events``, ``tests/accounts``, ``tests/<app>``), never loose in ``tests/`` and never
named after the issue that brought them, which says nothing about what they check."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# "issue4", "issue_12", "issue-7", "gh123": names that point at a tracker instead of a subject.
ISSUE_NAME = re.compile(r"(issue|gh|bug|ticket)[_-]?\d+", re.IGNORECASE)


def test_no_test_file_lies_loose_in_the_tests_folder():
    loose = sorted(path.name for path in TESTS.glob("test_*.py"))
    assert loose == [], f"move these into a subject folder under tests/: {loose}"


def test_no_test_file_or_folder_is_named_after_an_issue():
    named_after_issue = sorted(
        str(path.relative_to(TESTS)) for path in TESTS.rglob("*")
        if "__pycache__" not in path.parts and ISSUE_NAME.search(path.name)
    )
    assert named_after_issue == [], (
        f"name these after what they test, not after an issue: {named_after_issue}"
    )


def test_every_test_folder_is_a_package():
    # Without __init__.py two folders' test files of the same name would clash on import.
    missing = sorted(
        str(folder.relative_to(TESTS)) for folder in TESTS.rglob("*")
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("test_*.py"))
        and not (folder / "__init__.py").exists()
    )
    assert missing == [], f"add an __init__.py to: {missing}"
