"""Organisers' pages for editions: clone into the next edition (form → preview → confirm) and
compare two editions' published outcomes reports."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from fusionforum.core.forms import AccessibleFormMixin, posted_data
from fusionforum.events.access import gate
from fusionforum.events.models import Event, public_q

from .. import compare as comparing
from .. import editions, services


class CloneForm(AccessibleFormMixin, forms.Form):
    slug = forms.CharField(
        label=_("Address of the new edition"), max_length=60,
        help_text=_("Letters, digits and hyphens; part of every public address, e.g. "
                    "fusion-workshop-2028."))
    title = forms.CharField(label=_("Title of the new edition"), max_length=200)
    start_date = forms.DateField(
        label=_("First day of the new edition"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Every date and time of the copy moves by the days between the two first "
                    "days."))

    def __init__(self, *args, event: Event, **kwargs):
        self.event = event
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            editions.validate_request(self.event, new_slug=cleaned.get("slug"),
                                      new_title=cleaned.get("title"),
                                      new_start_date=cleaned.get("start_date"))
        except editions.CloneError as exc:
            for name, msgs in exc.errors.items():
                for msg in msgs:
                    self.add_error(None if name == "__all__" else name, msg)
        return cleaned


def _comparable(event: Event, user):
    """Other events this organiser may compare with: their own, or any published one."""
    return (Event.objects.filter(public_q() | Q(pk__in=Event.objects.organised_by(user)))
            .exclude(pk=event.pk).order_by("-start_date", "slug"))


def _context(request, event, form, **extra):
    previous = editions.lineage(event)
    context = {
        "event": event, "form": form, "section": "editions",
        "previous_editions": previous, "next_editions": editions.next_editions(event),
        "comparable": _comparable(event, request.user),
        "suggested_with": previous[0].slug if previous else "",
    }
    context.update(extra)
    return context


@gate("outcomes.manage_editions", second_factor=True)
@require_http_methods(["GET"])
def home(request, event):
    form = CloneForm(event=event, initial=editions.suggest_next(event))
    return render(request, "outcomes/editions/home.html", _context(request, event, form))


@gate("outcomes.manage_editions", second_factor=True)
@require_POST
def clone(request, event):
    form = CloneForm(posted_data(request), event=event)
    if not form.is_valid():
        return render(request, "outcomes/editions/home.html", _context(request, event, form),
                      status=400)
    data = form.cleaned_data
    if request.POST.get("confirm") != "yes":
        shift = (data["start_date"] - event.start_date).days
        return render(request, "outcomes/editions/preview.html", {
            "event": event, "form": form, "data": data, "plan": editions.plan(event),
            "shift_days": shift,
            "new_end_date": data["start_date"] + (event.end_date - event.start_date),
            "not_copied": NOT_COPIED,
        })
    try:
        new = editions.clone_edition(event, new_slug=data["slug"], new_title=data["title"],
                                     new_start_date=data["start_date"], by=request.user)
    except editions.CloneError as exc:
        for name, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error(None if name == "__all__" else name, msg)
        return render(request, "outcomes/editions/home.html", _context(request, event, form),
                      status=400)
    messages.success(request, gettext("“%(new)s” was created, unpublished, from “%(event)s”. "
                                      "Check its settings before you publish it.")
                     % {"new": new.title, "event": event.title})
    return redirect(reverse("editions:home", kwargs={"slug": new.slug}))


NOT_COPIED = [
    _("registrations and their history"), _("submissions, speakers and speaker profiles"),
    _("reviews, review assignments and conflicts"), _("programme sessions, talks and releases"),
    _("meeting requests, schedules and notes"), _("tour preferences and seats"),
    _("site-access records"), _("contact messages"),
    _("team members (you become the new edition’s only organiser)"),
    _("experts’ login links (their profiles are copied)"),
]


@gate("outcomes.manage_editions", second_factor=True)
@require_http_methods(["GET"])
def compare(request, event):
    other_slug = (request.GET.get("with") or "").strip()
    comparable = _comparable(event, request.user)
    with_report = [e for e in comparable if services.latest_published(e) is not None]
    previous = editions.previous_edition(event)
    base = {"event": event, "section": "compare", "comparable": with_report,
            "other_slug": other_slug or (previous.slug if previous else ""),
            "has_report": services.latest_published(event) is not None}
    if not other_slug:
        # The choice of edition (only those with a published report can be compared).
        return render(request, "outcomes/editions/compare.html", base)
    other = comparable.filter(slug=other_slug).first()
    if other is None:
        base["error"] = gettext("There is no other edition “%(slug)s” you can compare with.") % {
            "slug": other_slug}
        return render(request, "outcomes/editions/compare.html", base, status=400)
    before, after = sorted([event, other], key=lambda e: (e.start_date, e.pk))
    try:
        result = comparing.compare_events(before, after)
    except comparing.NoPublishedReport as exc:
        base["other"] = other
        base["error"] = gettext("“%(event)s” has no published outcomes report yet; only "
                                "published reports are compared.") % {"event": exc.event.title}
        return render(request, "outcomes/editions/compare.html", base, status=409)
    base.update({"other": other, "result": result, "before": before, "after": after,
                 "today": dt.date.today()})
    return render(request, "outcomes/editions/compare.html", base)
