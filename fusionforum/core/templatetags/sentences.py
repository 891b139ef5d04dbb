"""``{{ text|sentence }}``: end someone else's text with one full stop (core.sentences)."""

from django import template

from fusionforum.core.sentences import as_sentence

register = template.Library()


@register.filter
def sentence(value):
    # Returns a plain string: autoescaping still applies to it.
    return as_sentence("" if value is None else str(value))
