"""Middleware of the platform."""

from fusionforum.core.text import LINE_BREAKS, normalise_newlines


def normalise_line_breaks(get_response):
    """Browsers send every form value's line breaks as CR LF (the HTML form submission
    algorithm normalises them so). Rewrite the POST body's values to LF once, before any view,
    form or validator reads them, so that every form of the product (and every view that reads
    ``request.POST`` itself) sees the line ends that are stored. Other characters are left to
    the validators (``core.text``): a single-line field still refuses the line break."""

    def middleware(request):
        if request.method == "POST":
            post = request.POST
            if any(any(b in value for b in LINE_BREAKS)
                   for values in post.lists() for value in values[1]):
                normalised = post.copy()
                for key, values in post.lists():
                    normalised.setlist(key, [normalise_newlines(v) for v in values])
                normalised._mutable = False
                request.POST = normalised
        return get_response(request)

    return middleware
