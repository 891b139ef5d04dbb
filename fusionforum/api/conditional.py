"""ETags on every successful GET of the API, and 304 for a matching ``If-None-Match``.

The tag is a hash of the representation as sent, so it changes exactly when what the client
would read changes (whoever asks: the answers differ by person, hence ``Vary``). Answers are
``Cache-Control: private, no-cache``: a client keeps them and revalidates each time, which
costs one 304 without a body; no shared proxy keeps one person's answer for another.
"""

from __future__ import annotations

from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag

from .errors import API_PREFIX


class ApiConditionalGetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        patch_vary_headers(response, ("Authorization", "Cookie", "Accept", "Accept-Language"))
        if request.method not in ("GET", "HEAD") or response.status_code != 200 \
                or response.streaming:
            return response
        response.setdefault("Cache-Control", "private, no-cache")
        if not response.has_header("ETag"):
            set_response_etag(response)
        return get_conditional_response(request, etag=response["ETag"], response=response)
