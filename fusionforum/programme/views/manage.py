"""The organisers' programme editor: a grid per day (rooms as columns, 5-minute rows), the
talks still to place, rooms, sessions and releases.

Views are thin: read a form, call one service, render. Every change is a plain POST form;
the editor page is boosted with htmx (vendored) so a change only swaps the editor, and a
refused change comes back as 400 (bad input) or 409 (conflict) with the message shown at the
top of the editor. Without JavaScript the same forms post and the page reloads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fusionforum.cfp.models import Submission
from fusionforum.core.forms import posted_data
from fusionforum.events.access import gate

from .. import materials as material_services
from .. import people as people_services
from .. import releases, services, venue
from ..conflicts import ProgrammeConflict, event_dates
from ..forms import (
    InviteForm,
    MaterialForm,
    PersonForm,
    PlaceItemForm,
    PlaceTalkForm,
    ReleaseForm,
    RoomForm,
    SessionForm,
    SpotForm,
    VenueMapForm,
)
from ..models import ItemToPlace, ProgrammeSession, Release, Room, TalkSlot

STEP = dt.timedelta(minutes=5)


def render(request, template, context, status=200):
    """Every time on these pages is shown in the event's zone, whatever the server's."""
    with timezone.override(context["event"].tz):
        return django_render(request, template, context, status=status)


# The grid ------------------------------------------------------------------------------------


@dataclass
class Cell:
    session: ProgrammeSession | None = None
    rowspan: int = 1
    colspan: int = 1
    room: Room | None = None
    talks: list = field(default_factory=list)
    parts: list = field(default_factory=list)  # the sessions inside it (a session slot's)


@dataclass
class Row:
    time: dt.datetime
    label: str
    cells: list


def _day_bounds(event, day: dt.date, sessions) -> tuple[dt.datetime, dt.datetime]:
    tz = event.tz
    first = dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz)
    last = dt.datetime.combine(day, dt.time(19, 0), tzinfo=tz)
    for session in sessions:
        start, end = session.start.astimezone(tz), session.end.astimezone(tz)
        first = min(first, start.replace(minute=0))
        if end > last:
            last = end if end.minute == 0 else end.replace(minute=0) + dt.timedelta(hours=1)
    # A late session runs past midnight: the day's grid goes on until it ends.
    return max(first, dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)), last


def build_grid(event, day: dt.date, rooms: list[Room], sessions: list[ProgrammeSession],
               slots_by_session: dict, parts_by_session: dict | None = None,
               ) -> tuple[list[Row], list[ProgrammeSession]]:
    """Rows of 5 minutes with one cell per room; a session is one cell spanning its rows
    (a break without a room spans every room), listing the sessions inside it (a session
    slot's contributions, ``parts_by_session``) with their times. Sessions that cannot be
    drawn (they overlap another, which a release refuses anyway) are returned apart."""
    parts_by_session = parts_by_session or {}
    first, last = _day_bounds(event, day, sessions)
    times = []
    moment = first
    while moment < last:
        times.append(moment)
        moment += STEP
    index = {room.pk: n for n, room in enumerate(rooms)}
    grid: list[list] = [[None] * len(rooms) for _ in times]
    undrawn = []
    for session in sessions:
        start = max(session.start, first)
        end = min(session.end, last)
        top = int((start - first) / STEP)
        span = max(1, int((end - start + STEP - dt.timedelta(microseconds=1)) / STEP))
        columns = list(range(len(rooms))) if session.room_id is None \
            else [index[session.room_id]]
        rows = range(top, min(top + span, len(times)))
        if not rows or not columns or any(grid[r][c] is not None for r in rows for c in columns):
            undrawn.append(session)
            continue
        cell = Cell(session=session, rowspan=len(rows), colspan=len(columns),
                    talks=slots_by_session.get(session.pk, []),
                    parts=parts_by_session.get(session.pk, []))
        for r in rows:
            for c in columns:
                grid[r][c] = "covered"
        grid[top][columns[0]] = cell
    result = []
    for n, moment in enumerate(times):
        cells = []
        for c, room in enumerate(rooms):
            content = grid[n][c]
            if content is None:
                cells.append(Cell(room=room))
            elif isinstance(content, Cell):
                cells.append(content)
        local = moment.astimezone(event.tz)
        label = f"{local:%H:%M}" if local.minute in (0, 30) else ""
        if label and local.date() != day:
            label = _("%(time)s (next day)") % {"time": label}
        result.append(Row(time=local, label=label, cells=cells))
    return result, undrawn


def _chosen_day(event, request, fallback: dt.date | None = None) -> dt.date:
    dates = event_dates(event)
    wanted = request.GET.get("day") or (fallback.isoformat() if fallback else "")
    try:
        day = dt.date.fromisoformat(wanted)
    except ValueError:
        day = None
    if day in dates:
        return day
    return dates[0]


def editor_context(event, day: dt.date, *, place_forms=None, error=None, error_code=None,
                   item_forms=None):
    tz = event.tz
    rooms = list(Room.objects.filter(event=event))
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    # The sessions that start on the day (one past midnight stays on the day it starts on).
    # Sessions inside another (a session slot's contributions) are listed in it, with it.
    sessions = list(ProgrammeSession.objects.filter(event=event, start__gte=start, start__lt=end,
                                                    parent__isnull=True)
                    .select_related("room", "stream").prefetch_related("chairs"))
    parts = list(ProgrammeSession.objects.filter(parent__in=sessions)
                 .select_related("room").order_by("start", "id"))
    parts_by_session: dict = {}
    for part in parts:
        parts_by_session.setdefault(part.parent_id, []).append(part)
    slots = list(TalkSlot.objects.filter(session__in=sessions + parts)
                 .select_related("submission__organisation", "session__room")
                 .prefetch_related("submission__speaker_links__user"))
    by_session: dict = {}
    for slot in slots:
        by_session.setdefault(slot.session_id, []).append(slot)
    rows, undrawn = build_grid(event, day, rooms, sessions, by_session, parts_by_session)
    place_forms = place_forms or {}
    placed = []
    for slot in slots:
        code = slot.submission.code
        form = place_forms.get(code) or PlaceTalkForm(
            event=event, prefix=f"talk-{code}",
            initial={"session": slot.session_id, "start": slot.start.astimezone(tz).time(),
                     "duration": slot.duration_minutes})
        placed.append({"slot": slot, "submission": slot.submission, "form": form})
    unplaced = []
    for submission in services.unplaced_submissions(event):
        form = place_forms.get(submission.code) or PlaceTalkForm(
            event=event, prefix=f"talk-{submission.code}",
            initial={"duration": _default_duration(submission)})
        unplaced.append({"submission": submission, "form": form})
    item_forms = item_forms or {}
    items = [{"item": item, "form": item_forms.get(item.pk) or PlaceItemForm(
                 event=event, item=item, prefix=f"item-{item.pk}", initial={"day": day})}
             for item in services.items_to_place(event)]
    days = {d.date: d.label for d in event.days.all()}
    return {
        "event": event,
        "day": day,
        "items_to_place": items,
        "days": [{"date": d, "label": days.get(d) or date_format(d, "l j F"), "current": d == day}
                 for d in event_dates(event)],
        "rooms": rooms,
        "rows": rows,
        "undrawn": undrawn,
        "sessions": sessions,
        "placed": placed,
        "unplaced": unplaced,
        "error": error,
        "error_code": error_code,
        "latest_release": releases.latest(event),
        "has_talk_sessions": ProgrammeSession.objects.filter(
            event=event, kind__in=[ProgrammeSession.Kind.TALKS, ProgrammeSession.Kind.PANEL]
        ).exists(),
        "manage_section": "editor",
    }


def _default_duration(submission) -> int:
    try:
        return submission.effective_duration()
    except Exception:  # noqa: BLE001 - an event without call settings: the usual length
        return 20


def _editor_url(event, day: dt.date | None = None) -> str:
    url = reverse("programme_manage:editor", kwargs={"slug": event.slug})
    return f"{url}?day={day.isoformat()}" if day else url


def _render_editor(request, event, day, status=200, **extra):
    context = editor_context(event, day, **extra)
    # Shown inside the editor, which is what htmx swaps; not again by the base layout.
    context["flash"] = list(messages.get_messages(request))
    context["messages"] = []
    return render(request, "programme/manage/editor.html", context, status=status)


@gate("programme.manage_programme", second_factor=True)
def editor(request, event):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _render_editor(request, event, _chosen_day(event, request))


def _submission_or_404(event, code) -> Submission:
    submission = Submission.objects.filter(event=event, code=code[:12]).first()
    if submission is None:
        raise Http404("No such talk.")
    return submission


def _not_placed(submission) -> str:
    return _("“%(title)s” was not placed") % {"title": submission.title}


def _problem_text(error) -> list[str]:
    return list(getattr(error, "messages", None) or [str(error)])


@gate("programme.manage_programme", second_factor=True)
@require_POST
def place_talk(request, event, code):
    submission = _submission_or_404(event, code)
    form = PlaceTalkForm(request.POST, event=event, prefix=f"talk-{submission.code}")
    current = TalkSlot.objects.filter(submission=submission).select_related("session").first()
    fallback_day = current.session.start.astimezone(event.tz).date() if current else None
    day = _chosen_day(event, request, fallback_day)
    if not form.is_valid():
        messages_ = [_("%(field)s: %(error)s") % {
                         "field": form.fields[name].label or name.title(), "error": error}
                     for name, errors in form.errors.items() for error in errors]
        return _render_editor(request, event, day, status=400,
                              place_forms={submission.code: form},
                              error={"title": _not_placed(submission),
                                     "messages": messages_})
    session = form.cleaned_data["session"]
    try:
        slot = services.place_talk(event, submission, session, by=request.user,
                                   start=form.start_datetime(),
                                   duration_minutes=form.cleaned_data.get("duration"))
    except (ProgrammeConflict, services.InvalidChange) as refused:
        status = 409 if isinstance(refused, ProgrammeConflict) else 400
        return _render_editor(request, event, session.start.astimezone(event.tz).date(),
                              status=status, place_forms={submission.code: form},
                              error={"title": _not_placed(submission),
                                     "messages": _problem_text(refused)})
    local = slot.start.astimezone(event.tz)
    messages.success(request, _("“%(title)s” is now at %(when)s in “%(session)s”.") % {
        "title": submission.title, "session": session.title,
        "when": f"{date_format(local, 'D j M H:i')}-{slot.end.astimezone(event.tz):%H:%M}"})
    return redirect(_editor_url(event, local.date()) + f"#talk-{submission.code}")


@gate("programme.manage_programme", second_factor=True)
@require_POST
def unplace_talk(request, event, code):
    submission = _submission_or_404(event, code)
    slot = TalkSlot.objects.filter(submission=submission).select_related("session").first()
    day = slot.session.start.astimezone(event.tz).date() if slot else None
    if services.unplace_talk(event, submission, by=request.user):
        messages.success(request, _("“%(title)s” was taken out of the programme; it is back in "
                                    "the list of talks to place.") % {"title": submission.title})
    else:
        messages.info(request, _("“%(title)s” was not in the programme.")
                      % {"title": submission.title})
    return redirect(_editor_url(event, day))


@gate("programme.manage_programme", second_factor=True)
@require_POST
def place_item(request, event, item_id):
    item = ItemToPlace.objects.filter(event=event, pk=item_id).first()
    if item is None:
        raise Http404("No such entry.")
    form = PlaceItemForm(request.POST, event=event, item=item, prefix=f"item-{item.pk}")
    day = _chosen_day(event, request)
    not_placed = _("“%(title)s” was not placed") % {"title": item.title}
    if not form.is_valid():
        messages_ = [_("%(field)s: %(error)s") % {
                         "field": form.fields[name].label or name.title(), "error": error}
                     for name, errors in form.errors.items() for error in errors]
        return _render_editor(request, event, day, status=400, item_forms={item.pk: form},
                              error={"title": not_placed, "messages": messages_})
    try:
        session = services.place_item(item, by=request.user, room=form.cleaned_data["room"],
                                      start=form.start_datetime())
    except (ProgrammeConflict, services.InvalidChange) as refused:
        status = 409 if isinstance(refused, ProgrammeConflict) else 400
        return _render_editor(request, event, form.cleaned_data["day"], status=status,
                              item_forms={item.pk: form},
                              error={"title": not_placed, "messages": _problem_text(refused)})
    local = session.start.astimezone(event.tz)
    messages.success(request, _("“%(title)s” is now in the programme at %(when)s.") % {
        "title": session.title, "when": date_format(local, "D j M H:i")})
    return redirect(_editor_url(event, local.date()))


# Imported people -----------------------------------------------------------------------------


def _people_page(request, event, *, forms=None, edit_forms=None, status=200):
    forms, edit_forms = forms or {}, edit_forms or {}
    people = [{"profile": p, "form": forms.get(p.code) or InviteForm(prefix=f"p-{p.code}"),
               "edit_form": edit_forms.get(p.code) or PersonForm(
                   prefix=f"e-{p.code}", initial={"name": p.name, "honorific": p.honorific,
                                                  "affiliation": p.affiliation}),
               "invitation": next(iter(p.invitations.all()), None)}
              for p in people_services.imported_people(event)]
    return render(request, "programme/manage/people.html", {
        "event": event, "people": people, "manage_section": "people"}, status=status)


def _person_or_404(event, code: str):
    profile = people_services.person(event, code)
    if profile is None:
        raise Http404("No such person.")
    return profile


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET"])
def people(request, event):
    return _people_page(request, event)


@gate("programme.manage_programme", second_factor=True)
@require_POST
def person_edit(request, event, code):
    profile = _person_or_404(event, code)
    form = PersonForm(request.POST, prefix=f"e-{profile.code}")
    if form.is_valid():
        try:
            people_services.update_person(profile, by=request.user, **form.cleaned_data)
        except people_services.InvitationRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("%(name)s was corrected; the public sees it after the "
                                        "next release.") % {"name": form.cleaned_data["name"]})
            return redirect("programme_manage:people", slug=event.slug)
    return _people_page(request, event, edit_forms={profile.code: form}, status=400)


@gate("programme.manage_programme", second_factor=True)
@require_POST
def person_invite(request, event, code):
    profile = _person_or_404(event, code)
    form = InviteForm(request.POST, prefix=f"p-{profile.code}")
    if form.is_valid():
        try:
            people_services.invite(profile, email=form.cleaned_data["email"], by=request.user)
        except people_services.InvitationRefused as refused:
            form.add_error("email", str(refused))
        else:
            messages.success(request, _("An invitation to claim the profile of %(name)s was "
                                        "sent to %(email)s.")
                             % {"name": profile.display_name,
                                "email": form.cleaned_data["email"]})
            return redirect("programme_manage:people", slug=event.slug)
    return _people_page(request, event, forms={profile.code: form}, status=400)


# Rooms ---------------------------------------------------------------------------------------


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def rooms(request, event):
    form = RoomForm(posted_data(request), event=event)
    status = 200
    if form.is_valid():
        try:
            room = services.create_room(event, by=request.user, **_room_values(form))
        except services.InvalidChange as refused:
            form.add_error(None, " ".join(refused.messages))
        else:
            messages.success(request, _("Room “%(name)s” added.") % {"name": room.name})
            return redirect("programme_manage:rooms", slug=event.slug)
    if form.errors:
        status = 400
    return render(request, "programme/manage/rooms.html", {
        "event": event, "form": form, "rooms": Room.objects.filter(event=event),
        "manage_section": "rooms"}, status=status)


def _room_values(form) -> dict:
    data = form.cleaned_data
    return {"name": data["name"], "description": data["description"],
            "capacity": data.get("capacity"), "position": data.get("position")}


def _room_or_404(event, room_id) -> Room:
    room = Room.objects.filter(event=event, pk=room_id).first()
    if room is None:
        raise Http404("No such room.")
    return room


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def room(request, event, room_id):
    room = _room_or_404(event, room_id)
    form = RoomForm(posted_data(request), event=event, instance=room)
    if form.is_valid():
        values = _room_values(form)
        if values["position"] is None:
            values["position"] = room.position
        try:
            services.update_room(room, by=request.user, **values)
        except services.InvalidChange as refused:
            form.add_error(None, " ".join(refused.messages))
        else:
            messages.success(request, _("Room “%(name)s” saved.") % {"name": values["name"]})
            return redirect("programme_manage:rooms", slug=event.slug)
    room.refresh_from_db()
    return render(request, "programme/manage/room.html", {
        "event": event, "form": form, "room": room, "manage_section": "rooms"},
        status=400 if form.errors else 200)


@gate("programme.manage_programme", second_factor=True)
@require_POST
def room_delete(request, event, room_id):
    room = _room_or_404(event, room_id)
    try:
        services.delete_room(room, by=request.user)
    except services.InvalidChange as refused:
        form = RoomForm(event=event, instance=room)
        return render(request, "programme/manage/room.html", {
            "event": event, "form": form, "room": room, "manage_section": "rooms",
            "delete_error": " ".join(refused.messages)}, status=409)
    messages.success(request, _("Room “%(name)s” deleted.") % {"name": room.name})
    return redirect("programme_manage:rooms", slug=event.slug)


# Sessions ------------------------------------------------------------------------------------


def _session_or_404(event, session_id) -> ProgrammeSession:
    session = ProgrammeSession.objects.filter(event=event, pk=session_id).first()
    if session is None:
        raise Http404("No such session.")
    return session


def _session_page(request, event, form, session=None, status=200, problems=None):
    return render(request, "programme/manage/session.html", {
        "event": event, "form": form, "session": session, "problems": problems or [],
        "manage_section": "session_new" if session is None else "editor",
        "talks": list(TalkSlot.objects.filter(session=session).select_related("submission"))
        if session else [],
        "person_links": list(session.person_links.select_related("profile__user"))
        if session else [],
        # A session slot: the sessions inside it; a contribution: the slot it is part of.
        "parts": list(ProgrammeSession.objects.filter(parent=session).order_by("start", "id"))
        if session and session.pk else [],
        "parent": ProgrammeSession.objects.filter(pk=session.parent_id).first()
        if session and session.parent_id else None}, status=status)


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def session_new(request, event):
    initial = {}
    if request.method == "GET":
        day = _chosen_day(event, request)
        initial = {"day": day.isoformat(), "kind": ProgrammeSession.Kind.TALKS}
        if request.GET.get("room", "").isdigit():
            initial["room"] = request.GET["room"]
    form = SessionForm(posted_data(request), event=event, initial=initial)
    if not form.is_valid():
        return _session_page(request, event, form, status=400 if form.is_bound else 200)
    try:
        session = services.create_session(event, by=request.user, **form.service_values())
    except (ProgrammeConflict, services.InvalidChange) as refused:
        status = 409 if isinstance(refused, ProgrammeConflict) else 400
        return _session_page(request, event, form, status=status,
                             problems=_problem_text(refused))
    messages.success(request, _("Session “%(title)s” added.") % {"title": session.title})
    return redirect(_editor_url(event, session.start.astimezone(event.tz).date()))


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def session_edit(request, event, session_id):
    session = _session_or_404(event, session_id)
    form = SessionForm(posted_data(request), event=event,
                       initial=SessionForm.initial_for(session))
    if not form.is_valid():
        return _session_page(request, event, form, session, status=400 if form.is_bound else 200)
    try:
        session = services.update_session(session, by=request.user, **form.service_values())
    except (ProgrammeConflict, services.InvalidChange) as refused:
        status = 409 if isinstance(refused, ProgrammeConflict) else 400
        return _session_page(request, event, form, session, status=status,
                             problems=_problem_text(refused))
    messages.success(request, _("Session “%(title)s” saved.") % {"title": session.title})
    return redirect(_editor_url(event, session.start.astimezone(event.tz).date()))


@gate("programme.manage_programme", second_factor=True)
@require_POST
def session_delete(request, event, session_id):
    session = _session_or_404(event, session_id)
    day = session.start.astimezone(event.tz).date()
    talks = services.delete_session(session, by=request.user)
    if talks:
        messages.success(request, ngettext(
            "Session “%(title)s” deleted. Its %(count)s talk is back in the list to place.",
            "Session “%(title)s” deleted. Its %(count)s talks are back in the list to place.",
            talks) % {"title": session.title, "count": talks})
    else:
        messages.success(request, _("Session “%(title)s” deleted.") % {"title": session.title})
    return redirect(_editor_url(event, day))


# Releases ------------------------------------------------------------------------------------


def _releases_page(request, event, form, status=200, refused=None):
    preview = releases.preview(event)
    previous_snapshot = preview.previous.snapshot if preview.previous else None
    return render(request, "programme/manage/releases.html", {
        "event": event, "form": form, "preview": preview,
        "preview_changes": releases.describe_changes(event, preview.changes, preview.snapshot,
                                                     previous_snapshot),
        "releases": Release.objects.filter(event=event).select_related("released_by"),
        "refused": refused or [], "manage_section": "releases"}, status=status)


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def release_list(request, event):
    form = ReleaseForm(posted_data(request))
    if request.method == "GET":
        return _releases_page(request, event, form)
    if not form.is_valid():
        return _releases_page(request, event, form, status=400)
    try:
        new = releases.release(event, by=request.user, comment=form.cleaned_data["comment"])
    except releases.ReleaseRefused as refused:
        return _releases_page(request, event, form, status=409, refused=refused.messages)
    except PermissionDenied:  # pragma: no cover - the gate already checked
        raise Http404("No such page.") from None
    messages.success(request, _("Version %(version)s of the programme is published.")
                     % {"version": new.version})
    return redirect("programme_manage:release", slug=event.slug, version=new.version)


@gate("programme.manage_programme", second_factor=True)
def release_detail(request, event, version):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    release = Release.objects.filter(event=event, version=version).first()
    if release is None:
        raise Http404("No such release.")
    previous = Release.objects.filter(event=event, version__lt=version).order_by(
        "-version").first()
    return render(request, "programme/manage/release.html", {
        "event": event, "release": release,
        "changes": releases.describe_changes(event, release.changes, release.snapshot,
                                             previous.snapshot if previous else None),
        "manage_section": "releases"})


# Recordings and slides -------------------------------------------------------------------------


@gate("programme.manage_programme", second_factor=True)
@require_safe
def materials(request, event):
    return render(request, "programme/manage/materials.html", {
        "event": event, "talks": material_services.talks_for_organisers(event),
        "manage_section": "materials"})


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def material(request, event, code):
    talk = material_services.released_talk(event, code)
    if talk is None:
        raise Http404("No such talk in the released programme.")
    current = material_services.material_of(event, code)
    max_mb = material_services.max_slides_mb(event)
    initial = {"recording_url": current.recording_url if current else ""}
    form = MaterialForm(posted_data(request), request.FILES or None, initial=initial,
                        max_mb=max_mb)
    if request.method == "POST" and form.is_valid():
        try:
            material_services.save_material(
                event, code, by=request.user,
                recording_url=form.cleaned_data["recording_url"],
                slides=form.cleaned_data["slides"],
                remove_slides=form.cleaned_data["remove_slides"])
        except material_services.MaterialRefused as refused:
            form.add_error(None, " ".join(refused.messages))
        else:
            messages.success(request, _("Recording and slides of “%(title)s” saved.")
                             % {"title": talk.title})
            return redirect("programme_manage:materials", slug=event.slug)
    return render(request, "programme/manage/material.html", {
        "event": event, "form": form, "talk": talk, "material": current,
        "manage_section": "materials"}, status=400 if form.errors else 200)


# The venue map ---------------------------------------------------------------------------------


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def venue_maps(request, event):
    form = VenueMapForm(posted_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = venue.upload_map(event, by=request.user, name=form.cleaned_data["name"],
                                    image=form.cleaned_data["image"])
        except venue.VenueRefused as refused:
            form.add_error("image", " ".join(refused.messages))
        else:
            messages.success(request, _("Floor plan “%(name)s” uploaded: mark its places "
                                        "now.") % {"name": plan.name})
            return redirect("programme_manage:venue_map", slug=event.slug, map_id=plan.pk)
    return render(request, "programme/manage/venue_maps.html", {
        "event": event, "form": form, "maps": venue.maps_of(event),
        "manage_section": "venue"}, status=400 if form.errors else 200)


@gate("programme.manage_programme", second_factor=True)
@require_http_methods(["GET", "POST"])
def venue_map(request, event, map_id):
    plan = venue.map_of(event, map_id)
    if plan is None:
        raise Http404("No such floor plan.")
    form = SpotForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            spot = venue.add_spot(plan, by=request.user, **form.cleaned_data)
        except venue.VenueRefused as refused:
            form.add_error(None, " ".join(refused.messages))
        else:
            messages.success(request, _("“%(name)s” marked on the plan.") % {"name": spot.name})
            return redirect("programme_manage:venue_map", slug=event.slug, map_id=plan.pk)
    return render(request, "programme/manage/venue_map.html", {
        "event": event, "form": form, "plan": plan, "spots": list(plan.spots.all()),
        "manage_section": "venue"}, status=400 if form.errors else 200)


@gate("programme.manage_programme", second_factor=True)
@require_POST
def spot_delete(request, event, spot_id):
    spot = venue.spot_of(event, spot_id)
    if spot is None:
        raise Http404("No such spot.")
    venue.delete_spot(spot, by=request.user)
    messages.success(request, _("“%(name)s” removed from the plan.") % {"name": spot.name})
    return redirect("programme_manage:venue_map", slug=event.slug, map_id=spot.venue_map_id)
