"""What the OpenAPI description says beyond what drf-spectacular reads from the views: the
token scheme, the problem+json answers every operation may give, shared parameters."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

EVENT_SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH,
                              description="The event's short name, as in its web address.")

PROBLEM = {
    "type": "object",
    "description": "An error (RFC 9457).",
    "required": ["type", "title", "status", "detail", "instance", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "pointer", "detail", "code"],
            "properties": {"field": {"type": "string"}, "pointer": {"type": "string"},
                           "detail": {"type": "string"}, "code": {"type": "string"}}}},
    },
}

# Every operation may answer these; each says why in docs/api.md.
COMMON_PROBLEMS = {
    "400": "Invalid parameters or body (field errors in `errors`).",
    "401": "A token that is unknown, expired or revoked; or a resource that needs one.",
    "403": "Refused: a read token on a write, a session without its CSRF token or second "
           "factor.",
    "404": "No such resource, or nothing this person or token may see.",
    "406": "The Accept header asks for a format the API does not give.",
    "429": "Too many requests: wait for Retry-After seconds.",
}
WRITE_PROBLEMS = {
    "409": "Refused by the current state (e.g. nothing to release).",
    "415": "The body is not JSON.",
}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "fusionforum.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token from the account page "
                               "(/accounts/api-tokens/): `Authorization: Bearer ff_…` "
                               "(`Token ff_…` is accepted too)."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "fusionforum.api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The site's session, for same-site scripts; unsafe methods "
                               "need the X-CSRFToken header."}


def add_problems(result, generator, request, public):
    """Postprocessing hook: the Problem component and its answers on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            problems = dict(COMMON_PROBLEMS)
            if method in ("post", "put", "patch", "delete"):
                problems.update(WRITE_PROBLEMS)
            for code, description in problems.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/problem+json": {"schema": reference}}})
            # A GET may be answered 304 to a matching If-None-Match.
            if method == "get":
                responses.setdefault("304", {"description": "Not modified (If-None-Match)."})
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "If-None-Match" for p in parameters):
                    parameters.append({"name": "If-None-Match", "in": "header",
                                       "required": False, "schema": {"type": "string"},
                                       "description": "An ETag of an earlier answer."})
    return result
