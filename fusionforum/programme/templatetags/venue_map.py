"""``{% spot_url name as url %}``: the address of the venue-map spot named ``name`` of the
page's ``event`` (empty when none). The spots are read once per rendering."""

from django import template

from .. import venue

register = template.Library()


@register.simple_tag(takes_context=True)
def spot_url(context, name):
    event = context.get("event")
    if event is None or not name:
        return ""
    cache = context.render_context
    key = ("venue-spot-links", event.pk)
    if key not in cache:
        cache[key] = venue.spot_links(event)
    return venue.link_for(cache[key], name)
