from django import template

register = template.Library()


@register.filter
def label(key, names):
    """The display name of ``key`` in the ``names`` dict (the key itself when unknown)."""
    if isinstance(names, dict):
        return names.get(key, key)
    return key


@register.filter
def percent(share):
    try:
        return f"{float(share) * 100:.0f} %"
    except (TypeError, ValueError):
        return ""


@register.filter
def get(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None
