"""Small template helpers of the public programme pages."""

from django import template

from fusionforum.core.text import render_markdown

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` or None: ``{{ streams|lookup:session.stream_id }}``."""
    if not mapping or key is None:
        return None
    return mapping.get(key)


@register.filter
def markdown(source):
    """Speaker-written Markdown rendered and sanitised (core.text): nothing executable."""
    from django.utils.safestring import mark_safe

    return mark_safe(render_markdown(source or ""))  # noqa: S308  (nh3-sanitised)


@register.filter
def minutes(talk):
    return int((talk.end - talk.start).total_seconds() // 60)

