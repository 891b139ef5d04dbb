"""The disciplines experts hold and requests may name.

Each event keeps its own list (``MeetingSettings.disciplines``: ``[{"key", "label"}]``); a new
event starts from ``DEFAULT_DISCIPLINES``, the fusion disciplines of the matchmaking benchmark
(``fusion-matchmaking/1`` uses the keys as discipline ids).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_DISCIPLINES = [
    {"key": "magnets", "label": "Magnets"},
    {"key": "cryogenics", "label": "Cryogenics"},
    {"key": "vacuum", "label": "Vacuum"},
    {"key": "remote_handling", "label": "Remote handling"},
    {"key": "tritium_fuel_cycle", "label": "Tritium and fuel cycle"},
    {"key": "plasma_control", "label": "Plasma control"},
    {"key": "diagnostics", "label": "Diagnostics"},
    {"key": "heating_current_drive", "label": "Heating and current drive"},
    {"key": "neutronics", "label": "Neutronics"},
    {"key": "materials", "label": "Materials"},
    {"key": "licensing_nuclear_safety", "label": "Licensing and nuclear safety"},
    {"key": "assembly", "label": "Assembly"},
    {"key": "power_supplies", "label": "Power supplies"},
    {"key": "project_management_supply_chain", "label": "Project management and supply chain"},
]

KEY = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


def default_disciplines() -> list[dict]:
    return [dict(d) for d in DEFAULT_DISCIPLINES]


def validate_disciplines(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one discipline."))
    keys = set()
    for item in value:
        if (not isinstance(item, dict) or not isinstance(item.get("key"), str)
                or not isinstance(item.get("label"), str) or not item["label"].strip()):
            raise ValidationError(_("Each discipline needs a key and a label."))
        if not KEY.match(item["key"]):
            raise ValidationError(
                _("“%(key)s” is not a valid key: lower-case letters, digits and _ only.")
                % {"key": item["key"]})
        if item["key"] in keys:
            raise ValidationError(_("The key “%(key)s” appears twice.") % {"key": item["key"]})
        keys.add(item["key"])


def parse_lines(text: str) -> list[dict]:
    """``key: Label`` per line (the organisers' form), or just ``Label`` (key derived)."""
    result = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if ":" in line:
            key, label = (part.strip() for part in line.split(":", 1))
        else:
            label = line
            key = re.sub(r"[^a-z0-9]+", "_", line.lower()).strip("_")
        result.append({"key": key, "label": label})
    return result


def as_lines(disciplines: list[dict]) -> str:
    return "\n".join(f"{d['key']}: {d['label']}" for d in disciplines)
