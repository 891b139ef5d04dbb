"""Importing a programme from another system, for organisers migrating to Fusion Forum.

Formats: frab/pretalx ``schedule.xml`` (frab.parse_xml), frab/pretalx ``schedule.json``
version 1 and, leniently, the hub's "schedule2" (frab.parse_json), and Indico's event export
``/export/event/N.json?detail=contributions`` (indico.parse). Real files often break their own
schemas, so the parsers are lenient: whatever can be understood is kept, and every problem
becomes a warning with its location; only what makes the import impossible is an error.

Flow: upload → ``preview.prepare`` (parse, map onto the event's days, check against the
existing programme) → the preview, stored server-side for 30 minutes and bound to the person
and the event (``preview.store`` / ``preview.load``) → confirm → ``apply.apply_preview``, one
transaction: nothing is written if anything fails.

What an import creates (see apply.py for why): rooms (matched to existing ones by name) and
one programme session per imported entry, in its room at its time, titled like the entry, its
description holding the abstract and the speakers' names as text. Imported talks do not
become call-for-presentations submissions: a Submission belongs to a registered organisation
and its speakers are registered user accounts (Speaker.user, SpeakerProfile.user); inventing
accounts for people who never signed up would put their names into the accounts table, make
them look like participants and collide with their real sign-up later.
"""
