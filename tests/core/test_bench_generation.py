"""The programme benchmark's synthetic event is still made by the product's own models and
release service (``make bench-programme`` is not run by the suite, so a model change once
broke it unnoticed: ``Event(is_published=True)`` after the event life cycle came in)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from fusionforum.events.models import Event
from fusionforum.programme.models import Release

BENCH = Path(__file__).resolve().parents[2] / "bench" / "programme.py"

pytestmark = pytest.mark.django_db


def test_the_programme_benchmark_generates_a_released_event(capsys):
    spec = importlib.util.spec_from_file_location("bench_programme", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    info = bench.generate(12)
    assert "refused" not in capsys.readouterr().out  # released through the release service
    event = Event.objects.get(slug=info["slug"])
    assert event.is_published
    assert info["talks"] == 12
    assert Release.objects.get(event=event).version == info["version"] == 1
