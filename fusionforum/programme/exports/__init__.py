"""Standard exports of the released programme: iCalendar, frab schedule.xml and schedule.json,
and our own JSON. Every export is built from a Release's frozen snapshot (snapshot.py), never
from the working copy, so only what a release made public can appear in one; the views cache
each export per release (cache.py)."""
