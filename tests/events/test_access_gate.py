"""The one access gate (``events.access.gate``): the order of its checks, what a refused or
signed-out person gets, what the view receives, and that no view brings its own gate back."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import fusionforum
from fusionforum.events.access import gate, public_event, public_event_with
from fusionforum.events.models import TeamMembership

PACKAGE = Path(fusionforum.__file__).parent


@pytest.fixture
def factory():
    return RequestFactory()


def _request(factory, user, path="/manage/workshop-2027/thing/?x=1", *, verified=False,
             method="get"):
    request = getattr(factory, method)(path)
    if user is not None:
        # What django-otp's middleware gives a signed-in person.
        user.is_verified = lambda: verified
    request.user = user if user is not None else AnonymousUser()
    return request


def _echo(request, *received, **kwargs):
    """A view that shows what it received."""
    response = HttpResponse(repr((received, kwargs, timezone.get_current_timezone_name())))
    response.received = received
    response.kwargs = kwargs
    return response


def _member(make_user, event, role):
    user = make_user()
    TeamMembership.objects.create(event=event, user=user, role=role)
    return user


def test_anonymous_goes_to_the_login_before_anything_is_looked_up(factory, db):
    view = gate("events.change_event", second_factor=True)(_echo)
    response = view(_request(factory, None), slug="no-such-event")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/manage/workshop-2027/thing/%3Fx%3D1"


def test_unknown_event_and_refusal_look_the_same(factory, event, make_user):
    view = gate("events.change_event", second_factor=True)(_echo)
    stranger = make_user()
    for slug in ("no-such-event", event.slug):
        with pytest.raises(Http404):
            view(_request(factory, stranger, verified=True), slug=slug)


def test_refusal_comes_before_the_second_factor(factory, event, make_user):
    """Someone without the role never learns that the page exists (no verification page)."""
    reviewer = _member(make_user, event, TeamMembership.Role.REVIEWER)
    view = gate("events.change_event", second_factor=True)(_echo)
    with pytest.raises(Http404):
        view(_request(factory, reviewer), slug=event.slug)


def test_unverified_staff_go_to_the_second_factor(factory, event, organiser):
    view = gate("events.change_event", second_factor=True)(_echo)
    response = view(_request(factory, organiser), slug=event.slug)
    assert response.status_code == 302
    assert response["Location"] == (
        "/accounts/two-factor/verify/?next=%2Fmanage%2Fworkshop-2027%2Fthing%2F%3Fx%3D1")


def test_verified_staff_reach_the_view_with_the_event(factory, event, organiser):
    view = gate("events.change_event", second_factor=True)(_echo)
    response = view(_request(factory, organiser, verified=True), slug=event.slug, pk=7)
    assert response.status_code == 200
    assert response.received == (event,)
    assert response.kwargs == {"pk": 7}
    assert response["Cache-Control"] == "private, no-store"


def test_second_factor_only_when_asked(factory, event, organiser):
    view = gate("events.change_event")(_echo)
    assert view(_request(factory, organiser), slug=event.slug).status_code == 200


def test_the_views_own_cache_header_stays(factory, event, organiser):
    def view(request, event):
        response = HttpResponse("x")
        response["Cache-Control"] = "no-store"
        return response

    gated = gate("events.change_event")(view)
    assert gated(_request(factory, organiser), slug=event.slug)["Cache-Control"] == "no-store"
    public = gate("events.change_event", private=False)(_echo)
    assert not public(_request(factory, organiser), slug=event.slug).has_header("Cache-Control")


def test_permissions_are_the_rules_not_djangos_superuser_shortcut(factory, event, make_user):
    """``User.has_perm`` says yes to a platform administrator for every name; the gate asks
    the named rule, so an administrator is no reviewer or security officer."""
    admin = make_user(is_superuser=True)
    assert admin.has_perm("cfp.review_call", event)
    for permission in ("cfp.review_call", "vault.use_security_office"):
        with pytest.raises(Http404):
            gate(permission)(_echo)(_request(factory, admin), slug=event.slug)
    # Organisers' pages include the platform administrators, by the rule itself.
    assert gate("registration.manage_registrations")(_echo)(
        _request(factory, admin), slug=event.slug).status_code == 200


def test_participant_pages_say_no_such_event_before_the_login(factory, make_event):
    hidden = make_event(slug="hidden", status="draft")
    view = gate("visits.see_tours", load=public_event, login_first=False)(_echo)
    with pytest.raises(Http404):
        view(_request(factory, None, "/hidden/visits/"), slug=hidden.slug)
    missing_part = public_event_with(lambda event: None, "This event has no site visits.")
    view = gate("visits.see_tours", load=missing_part, login_first=False)(_echo)
    published = make_event(slug="published")
    with pytest.raises(Http404, match="no site visits"):
        view(_request(factory, None, "/published/visits/"), slug=published.slug)


def test_hooks_for_signed_out_and_refused_people(factory, event, make_user):
    def signed_out(request, target):
        return HttpResponse(f"read about {target.slug}") if request.method == "GET" else None

    def where_you_stand(request, target):
        return HttpResponse("where you stand", status=403)

    view = gate("events.change_event", load=public_event, login_first=False,
                anonymous=signed_out, refused=where_you_stand)(_echo)
    read = view(_request(factory, None, "/workshop-2027/"), slug=event.slug)
    assert (read.status_code, read.content) == (200, b"read about workshop-2027")
    post = view(_request(factory, None, "/workshop-2027/", method="post"), slug=event.slug)
    assert post.status_code == 302 and post["Location"].startswith("/accounts/login/")
    refused = view(_request(factory, make_user(), "/workshop-2027/"), slug=event.slug)
    assert refused.status_code == 403
    assert refused["Cache-Control"] == "private, no-store"


def test_what_the_view_receives_and_the_event_time(factory, event, organiser):
    event.time_zone = "America/New_York"
    event.save(update_fields=["time_zone"])
    view = gate("events.change_event", event_time=True,
                passes=lambda request, target: (target, "extra"))(_echo)
    response = view(_request(factory, organiser), slug=event.slug)
    assert response.received == (event, "extra")
    assert str(event.tz) in response.content.decode()
    assert timezone.get_current_timezone_name() != str(event.tz)


def test_no_object_keeps_the_views_arguments(factory, organiser):
    view = gate("events.see_staff_home", load=None)(_echo)
    response = view(_request(factory, organiser, "/manage/"), slug="kept")
    assert response.received == ()
    assert response.kwargs == {"slug": "kept"}


def test_the_gate_is_readable_on_the_view():
    from fusionforum.registration.views import desk

    described = inspect.unwrap(desk.waiting_list, stop=lambda f: hasattr(f, "access_gate"))
    assert described.access_gate.permission == "registration.manage_registrations"
    assert described.access_gate.second_factor


# No drift -------------------------------------------------------------------------------------


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _gate_of(view):
    while view is not None:
        if hasattr(view, "access_gate"):
            return view.access_gate
        view = getattr(view, "__wrapped__", None)
    return None


# Staff addresses that apply the gate inside the view, with the reason.
GATED_INSIDE = {
    # A signed-out or unverified officer's token waits in the session instead of travelling
    # through the login address; the gate then guards the export itself (``_gated_export``).
    "security/<slug:slug>/exports/<str:token>/",
}


def test_every_staff_page_is_behind_the_gate_with_the_second_factor():
    staff = [(route, view) for route, view in _views(get_resolver().url_patterns)
             if route.startswith(("manage/", "review/", "security/"))]
    assert len(staff) > 100
    unguarded = {route for route, view in staff
                 if _gate_of(view) is None or not _gate_of(view).second_factor}
    assert unguarded == GATED_INSIDE
    from fusionforum.vault.views import security

    assert _gate_of(security._gated_export).permission == "vault.use_security_office"


def test_every_gate_names_a_permission_that_exists():
    permissions = {_gate_of(view).permission for _, view in _views(get_resolver().url_patterns)
                   if _gate_of(view) is not None}
    assert {p for p in permissions if not rules.perm_exists(p)} == set()
    # Apps ask their own permissions for their own pages.
    assert {p.split(".")[0] for p in permissions} >= {
        "registration", "cfp", "programme", "meetings", "visits", "vault", "outcomes", "events"}


def _view_modules():
    """Every module that defines a routed view (wherever the app keeps its views)."""
    modules = set()
    for _, view in _views(get_resolver().url_patterns):
        view = inspect.unwrap(view)
        module = getattr(view, "__module__", "") or ""
        if module.startswith("fusionforum."):
            modules.add(module)
    return sorted(modules)


# Below ``events`` (accounts: log in, profile), pages use Django's own login_required: they
# have no event, and accounts may not import the gate from the app above it.
BELOW_THE_GATE = {"fusionforum.accounts.views.public",
                  # The account's API tokens page: the api app sits below events as well.
                  "fusionforum.api.views.tokens"}
# Checks that only the gate may make inside a decorator of a view module.
ACCESS_WORDS = {"redirect_to_login", "login_required", "user_passes_test", "permission_required",
                "is_authenticated", "has_perm", "is_verified", "test_perm", "PermissionDenied"}


def _access_decorators(tree):
    """Functions taking a view that wrap it in a function checking who the person is."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        inner = [n for n in node.body if isinstance(n, ast.FunctionDef)]
        if not inner or not node.args.args or "view" not in node.args.args[0].arg:
            continue
        names = {n.id for f in inner for n in ast.walk(f) if isinstance(n, ast.Name)}
        names |= {n.attr for f in inner for n in ast.walk(f) if isinstance(n, ast.Attribute)}
        if names & ACCESS_WORDS:
            yield node.name


def test_no_view_module_brings_its_own_access_check():
    modules = [m for m in _view_modules() if m not in BELOW_THE_GATE]
    assert "fusionforum.registration.views.desk" in modules
    found = {}
    for module in modules:
        path = PACKAGE.joinpath(*module.split(".")[1:])
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        tree = ast.parse(path.read_text())
        imported = {alias.asname or alias.name for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) for alias in node.names}
        problems = sorted(imported & {"redirect_to_login", "login_required", "user_passes_test",
                                      "permission_required"})
        problems += list(_access_decorators(tree))
        if problems:
            found[module] = problems
    assert found == {}


def test_the_drift_check_sees_a_hand_written_decorator():
    tree = ast.parse(inspect.cleandoc('''
        def organisers_only(view):
            def wrapped(request, slug):
                if not request.user.has_perm("x", slug):
                    raise Http404
                return view(request, slug)
            return wrapped
    '''))
    assert list(_access_decorators(tree)) == ["organisers_only"]

