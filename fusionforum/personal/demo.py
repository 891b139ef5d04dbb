"""Demo data of "My workshop": nothing of its own to create (it reads the other apps' demo
data); see load."""

from __future__ import annotations


def load(event) -> str:
    return "My workshop: nothing to load"
