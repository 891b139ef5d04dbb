"""An archived event is read-only: the one home of that rule.

Two guards, both here:

- **Rows**: every save or delete of a row that belongs to an archived event (the Event row
  itself, any model with a foreign key to it, or one step further, e.g. a talk slot of a
  session) raises ``EventArchived`` with a sentence a person can read, whatever wrote it: a
  service called by a page, the back office, a job, a management command. The only change an
  archived event accepts is its own life-cycle move (``reopen``). The duties owed whatever the
  event's state (deleting a person's account, purging site-access values past retention) run
  inside ``core.readonly.archived_writes_allowed()``; the vault's access log keeps recording
  who read what (``ALWAYS_WRITTEN``).
- **Requests**: ``ArchivedEventMiddleware`` answers a POST (or any other unsafe method) to an
  address under an archived event (``/<event>/…``, ``/manage/<event>/…``, ``/review/<event>/…``,
  ``/security/<event>/…``) with 409 and the same sentence before any view runs, and turns an
  ``EventArchived`` met by a view into that page too.

Bulk statements (``QuerySet.update``, ``bulk_create``) send no signals; the request guard
covers the pages that could reach them.
"""

from __future__ import annotations

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext

from fusionforum.core.middleware import unless_database_unreachable
from fusionforum.core.readonly import allowed

from .models import Event, EventStatus

# Records of what was done with what exists, not changes of it (label_lower).
ALWAYS_WRITTEN = frozenset({"vault.accesslogentry", "events.eventtransition",
                            "events.calendarrevision"})  # bookkeeping of event.ics
# The life-cycle move of an archived event writes only these.
LIFE_CYCLE_FIELDS = frozenset({"status", "published_at", "updated_at"})


class EventArchived(Exception):
    """A write refused because the event is archived."""

    def __init__(self, event: Event | None = None, title: str = ""):
        self.event = event
        self.title = title or (event.title if event is not None else "")
        super().__init__(message(self.title))


def message(title: str) -> str:
    return gettext("“%(event)s” is archived: it is read-only and nothing in it can be changed. "
                   "Its organisers can reopen it.") % {"event": title}


def ensure_writable(event: Event) -> None:
    """Raise EventArchived when ``event`` is archived (services call it first, for a clear
    refusal before any work)."""
    if event is not None and event.status == EventStatus.ARCHIVED and not allowed():
        raise EventArchived(event)


def _event_paths(model) -> list[tuple]:
    """How a row of ``model`` reaches its event: ``(fk attname,)`` directly, or
    ``(fk attname, related model, its event attname)`` one step further; none for rows that
    belong to no event."""
    if model in _paths:
        return _paths[model]
    fks = [f for f in model._meta.concrete_fields
           if f.is_relation and (f.many_to_one or f.one_to_one)]
    direct = [(f.attname, f.name) for f in fks if f.related_model is Event]
    paths: list[tuple] = direct[:1]
    if not paths:
        for f in fks:
            related = f.related_model
            if related is None or related is Event:
                continue
            inner = next((g for g in related._meta.concrete_fields
                          if g.is_relation and g.related_model is Event), None)
            if inner is not None:
                paths.append((f.attname, f.name, related, inner.attname, inner.name))
    _paths[model] = paths
    return paths


_paths: dict = {}


def archived_event_of(instance) -> Event | None:
    """The archived event ``instance`` belongs to, or None."""
    model = type(instance)
    if model is Event:
        return instance if instance.pk is not None and _stored_status(instance.pk) == \
            EventStatus.ARCHIVED else None
    event_id = None
    for path in _event_paths(model):
        value = getattr(instance, path[0], None)
        if value is None:
            continue
        # The event (or the row in between) the caller already loaded on the instance: its
        # status is known without a query (a registration saved with its event, a log row
        # with its registration). Services read the event at their start, so a status
        # changed since then is what the request guard and the next request see.
        holder = instance._state.fields_cache.get(path[1])
        if len(path) == 5:
            related, inner_attname, inner_name = path[2], path[3], path[4]
            if holder is not None:
                event = holder._state.fields_cache.get(inner_name)
                if isinstance(event, Event):
                    return event if event.status == EventStatus.ARCHIVED else None
                value = getattr(holder, inner_attname, None)
            else:
                value = related._default_manager.filter(pk=value).values_list(
                    inner_attname, flat=True).first()
        elif isinstance(holder, Event):
            return holder if holder.status == EventStatus.ARCHIVED else None
        if value is not None:
            event_id = value
            break
    if event_id is None:
        return None
    return Event.objects.filter(pk=event_id, status=EventStatus.ARCHIVED).only(
        "pk", "title", "status").first()


def _stored_status(pk) -> str | None:
    return Event.objects.filter(pk=pk).values_list("status", flat=True).first()


@receiver(pre_save)
def refuse_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or allowed() or sender._meta.label_lower in ALWAYS_WRITTEN:
        return
    if sender is Event:
        if update_fields is not None and set(update_fields) <= LIFE_CYCLE_FIELDS:
            return  # the life cycle's own move (reopen)
    elif not _belongs_to_some_event(sender):
        return
    event = archived_event_of(instance)
    if event is not None:
        raise EventArchived(event)


@receiver(pre_delete)
def refuse_delete(sender, instance, **kwargs):
    if allowed() or sender._meta.label_lower in ALWAYS_WRITTEN:
        return
    if sender is not Event and not _belongs_to_some_event(sender):
        return
    event = archived_event_of(instance)
    if event is not None:
        raise EventArchived(event)


def _belongs_to_some_event(model) -> bool:
    return bool(_event_paths(model))


# --- requests ------------------------------------------------------------------------------

# Address prefixes whose ``slug`` names an event (``/<slug>/…`` is every other event page).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def refusal_page(request, title: str, event: Event | None = None):
    response = render(request, "events/archived.html",
                      {"event": event, "message": message(title)}, status=409)
    response["Cache-Control"] = "private, no-store"
    return response


class ArchivedEventMiddleware:
    """Refuse unsafe requests under an archived event (409, with the reason) before the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS or allowed():
            return None
        return unless_database_unreachable(request, lambda: self._refusal(request, view_kwargs))

    @staticmethod
    def _refusal(request, view_kwargs):
        slug = view_kwargs.get("slug")
        if not slug or request.resolver_match is None:
            return None
        event = Event.objects.filter(slug=slug, status=EventStatus.ARCHIVED).first()
        if event is None or not event.is_published:
            # Never published: its pages answer outsiders 404 (their gates), and its team
            # meets the row guard's refusal (process_exception) with the same sentence.
            return None
        # The life-cycle page itself may reopen the event.
        if request.resolver_match.view_name == "events_manage:status":
            return None
        return refusal_page(request, event.title, event)

    def process_exception(self, request, exception):
        if isinstance(exception, EventArchived):
            return refusal_page(request, exception.title, exception.event)
        return None
