"""Views read input, call one service and render: no view writes to the database itself.
Every module one of the project's URL patterns points into is read (so a renamed or new view
module is read too); in it, every function given the request (views, their helpers, methods
of class-based views) must not write, unless listed below with the reason it must stay.

A write is: saving, creating, updating or deleting rows (``.save()`` but not
``form.save(commit=False)``; ``Model.objects....update()``/``.delete()``/``.create()`` and
their bulk and get-or-create forms; ``select_for_update``), opening a transaction
(``transaction.atomic``), and writing the audit log (``audit.record``): each belongs to a
service, which validates, checks the permission, changes the state and writes the audit
log in its own transaction."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

# Calls that always write when they reach a model or a queryset.
ORM_WRITES = {"save", "delete", "create", "update", "bulk_create", "bulk_update",
              "get_or_create", "update_or_create", "select_for_update"}
# Names whose .save()/.delete()/... are not the database (a cache, a PDF canvas, a session).
NOT_THE_DATABASE = {"cache", "caches", "canvas", "session", "pdf", "buffer", "context", "extra",
                    "base", "initial", "response", "headers", "data", "kwargs"}
# Queryset methods: a chain through one of these (or ``.objects``) reaches the database.
QUERYSET = {"objects", "filter", "exclude", "all", "select_related", "prefetch_related",
            "order_by", "annotate", "values", "only", "defer", "every"}

# (module, function, what) -> why it may stay. Keep it short and give the reason.
ALLOWED: dict[tuple[str, str, str], str] = {}


def _view_modules() -> set[str]:
    found: set[str] = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                callback = inspect.unwrap(pattern.callback)
                module = getattr(callback, "__module__", "") or ""
                if getattr(callback, "view_class", None) is not None:
                    module = callback.view_class.__module__
                if module.startswith("fusionforum."):
                    found.add(module)

    walk(get_resolver().url_patterns)
    return found


def _chain(node: ast.AST) -> list[str]:
    """The names of an attribute/call chain, outermost last: a.b(c).d -> [a, b, d]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            break
        else:
            break
    return list(reversed(names))


def _is_write(call: ast.Call) -> str | None:
    if not isinstance(call.func, ast.Attribute):
        return None
    method = call.func.attr
    chain = _chain(call.func.value)
    if chain[-1:] == ["transaction"] and method == "atomic":
        return "transaction.atomic"
    if chain[-1:] == ["audit"] and method == "record":
        return "audit.record"
    if method not in ORM_WRITES or (chain and chain[-1] in NOT_THE_DATABASE):
        return None
    if method == "save":
        keeps = any(k.arg == "commit" and isinstance(k.value, ast.Constant)
                    and k.value.value is False for k in call.keywords)
        return None if keeps else ".save()"
    if method == "delete":  # thing.delete() or a queryset's
        return ".delete()"
    # update, create and the others exist on dicts and sets too: only through a queryset or
    # a related manager (``.objects``, ``.filter(...)``, ``<name>_set``).
    if any(name in QUERYSET or name.endswith("_set") for name in chain):
        return f".{method}()"
    return None


def _handles_a_request(node: ast.AST) -> bool:
    """A view, a view's helper or a class-based view's method: it is given the request.
    (Some modules still hold services next to their views; the services may write.)"""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    return "request" in [arg.arg for arg in node.args.args[:2]]


def _writes(module_name: str) -> list[tuple[str, str, int]]:
    module = importlib.import_module(module_name)
    return _writes_in(ast.parse(Path(inspect.getsourcefile(module)).read_text()))


def _writes_in(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(function, what, line) of every write in a function given the request."""
    found = []
    for function in ast.walk(tree):
        if not _handles_a_request(function):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                what = _is_write(node)
                if what:
                    found.append((function.name, what, node.lineno))
    # Decorators such as @transaction.atomic on a view.
    for function in ast.walk(tree):
        if _handles_a_request(function):
            for decorator in function.decorator_list:
                if _chain(decorator)[-2:] == ["transaction", "atomic"]:
                    found.append((function.name, "transaction.atomic", decorator.lineno))
    return found


def test_the_url_map_leads_to_the_view_modules():
    modules = _view_modules()
    assert {"fusionforum.visits.views.manage", "fusionforum.meetings.views.manage",
            "fusionforum.registration.views.frontdesk", "fusionforum.cfp.views.manage",
            "fusionforum.registration.views.emails"} <= modules
    assert len(modules) > 20


def test_no_view_module_writes_to_the_database():
    offences = []
    for module in sorted(_view_modules()):
        for function, what, line in _writes(module):
            if (module, function, what) in ALLOWED:
                continue
            offences.append(f"{module}.{function} (line {line}): {what}")
    assert offences == [], ("move these writes into the app's services (or list them in "
                            "ALLOWED with the reason):\n" + "\n".join(offences))


def test_the_detector_sees_a_write():
    source = """
def service(event):
    thing.save()


def view(request):
    form.save()
    Thing.objects.filter(pk=1).update(x=1)
    Thing.objects.create(x=1)
    with transaction.atomic():
        audit.record("x", None)
    thing.delete()
    device.token_set.create(token="x")
    form.save(commit=False)
    context.update(extra)
    cache.delete(key)
"""
    seen = sorted((function, what) for function, what, _ in _writes_in(ast.parse(source)))
    assert seen == [("view", what) for what in (
        ".create()", ".create()", ".delete()", ".save()", ".update()", "audit.record",
        "transaction.atomic")]
