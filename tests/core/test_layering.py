"""The import-linter contracts in pyproject.toml hold: no app imports one above it (function-level
imports count too) and the meeting optimiser imports neither Django nor the project. Part of the
ordinary suite, so every CI run on either database checks them."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    # The checked package is the one the suite imports (this checkout, first on sys.path).
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0, (
        "an import breaks the layers of docs/architecture.md; run `lint-imports` for the chain"
    )
