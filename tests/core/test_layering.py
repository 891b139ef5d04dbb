"""The layering holds: import-linter's contracts in pyproject.toml (no app imports one above it,
function-level imports included; the meeting optimiser imports neither Django nor the project),
and every page in its app's views/ package. Part of the ordinary suite, so every CI run on
either database checks them."""

import inspect
import re
from pathlib import Path

from django.urls import URLResolver, get_resolver
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    # The checked package is the one the suite imports (this checkout, first on sys.path).
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0, (
        "an import breaks the layers of docs/architecture.md; run `lint-imports` for the chain"
    )


def _callbacks(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                yield from _callbacks(pattern.url_patterns)
        else:
            yield pattern.callback


def test_every_page_lives_in_its_apps_views_package():
    """views/<audience>.py in each app (docs/architecture.md, "Where business rules live");
    core's own views (health check, error pages) are the one plain module."""
    modules = {inspect.unwrap(view).__module__ for view in _callbacks(get_resolver().url_patterns)}
    project = {module for module in modules if module.startswith("fusionforum.")}
    assert len(project) > 20
    stray = sorted(module for module in project
                   if ".views." not in module and module != "fusionforum.core.views")
    assert stray == [], f"move these pages into their app's views/ package: {stray}"


def test_no_app_keeps_view_or_url_modules_beside_the_packages():
    stray = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "fusionforum").glob("*/*.py")
                   if path.parent.name != "core"
                   and re.fullmatch(r"(views|urls)(_\w+)?\.py|\w+_(views|urls)\.py", path.name))
    assert stray == [], f"use views/<audience>.py and urls/<audience>.py instead: {stray}"
