"""Which parts of the site an event uses: the one home of that rule.

An event switches modules on or off (``Event.modules``: registration, call, programme,
meetings, visits, outcomes). A module that is off has no pages for that event: every address
of the module's URL namespaces (public, participants', organisers', reviewers', the security
office's) answers 404, and the menus and the staff home do not link to it
(``Event.uses_<module>``). ``ModuleMiddleware`` applies the rule once for every page, before
the view, from the resolved URL's namespace and its ``slug``; the apps' own views need no
check of their own.

The modules that need another (``REQUIRES``) are refused without it when an event is created
or its modules are changed (``events.services``).
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fusionforum.core import pagecache
from fusionforum.core.middleware import unless_database_unreachable

from .models import Event, Module

# URL namespace -> the module whose pages it holds.
NAMESPACES: dict[str, str] = {
    "registration": Module.REGISTRATION,
    "cfp": Module.CALL, "cfp_manage": Module.CALL, "cfp_decide": Module.CALL,
    "review": Module.CALL,
    "programme": Module.PROGRAMME, "programme_manage": Module.PROGRAMME,
    "programme_exports": Module.PROGRAMME, "programme_import": Module.PROGRAMME,
    "meetings": Module.MEETINGS, "meetings_manage": Module.MEETINGS,
    "meetings_expert": Module.MEETINGS,
    # Site access is asked of the people who hold a tour seat.
    "visits": Module.VISITS, "visits_manage": Module.VISITS,
    "vault": Module.VISITS, "vault_security": Module.VISITS,
    "outcomes": Module.OUTCOMES, "outcomes_manage": Module.OUTCOMES,
}

# module -> the modules it cannot work without (speakers, experts' visitors, tour seats and
# survey answers are registered participants; the report is built from the call's answers).
REQUIRES: dict[str, tuple[str, ...]] = {
    Module.CALL: (Module.REGISTRATION,),
    Module.MEETINGS: (Module.REGISTRATION,),
    Module.VISITS: (Module.REGISTRATION,),
    Module.OUTCOMES: (Module.REGISTRATION, Module.CALL),
}

OFF_MESSAGE = _("This event does not use that part of the site.")


def module_of(namespace: str | None) -> str | None:
    return NAMESPACES.get(namespace or "")


def missing_requirements(modules: list[str]) -> list[tuple[str, str]]:
    """(module, module it needs) for every module switched on without what it needs."""
    chosen = set(modules)
    return [(module, needed) for module in Module.values if module in chosen
            for needed in REQUIRES.get(module, ()) if needed not in chosen]


def check(namespace: str | None, slug: str | None) -> None:
    """404 when the page belongs to a module the event of ``slug`` has switched off."""
    module = module_of(namespace)
    if module is None or not slug:
        return
    modules = modules_of(slug)
    if modules is not None and module not in modules:
        raise Http404(OFF_MESSAGE)


_KEY = "event-modules:"


def modules_of(slug: str) -> list[str] | None:
    """The modules of the event at ``slug`` (None: no such event). Asked on every page of a
    module, cached pages and exports included, so the answer is kept in the cache under the
    public pages' version token, which every save of an event replaces (as the event's default
    language is, ``core.languages.event_language``)."""
    key = _KEY + slug[:100]
    found = cache.get_many([pagecache.VERSION_KEY, key])
    version, entry = found.get(pagecache.VERSION_KEY), found.get(key)
    if version and entry and entry[0] == version:
        return entry[1]
    modules = Event.objects.filter(slug=slug).values_list("modules", flat=True).first()
    if version:
        cache.set(key, (version, modules), 3600)
    return modules


class ModuleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None:
            return None
        return unless_database_unreachable(
            request, lambda: check(match.namespace, view_kwargs.get("slug")))
