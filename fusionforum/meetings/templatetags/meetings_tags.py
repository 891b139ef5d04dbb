from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def percent(value):
    try:
        return f"{float(value) * 100:.0f}"
    except (TypeError, ValueError):
        return "0"
