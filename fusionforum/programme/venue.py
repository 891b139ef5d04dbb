"""The venue map: floor plans organisers upload and the spots they mark on them (rooms,
meeting tables, tour meeting points), and the links other pages make to a spot.

A plan is checked like a speaker's photo (signature of a real raster format, dimensions read
before the pixels are decoded, so an "image bomb" is refused) and re-encoded to a fresh PNG
without metadata; no byte of the upload is stored. A spot is stored as percentages of the
plan's width and height, so it stays put whatever size the plan is shown at.

Other pages link to a spot by name: a programme room, a meeting's "room or table" and a tour
run's meeting point link to the spot bearing the same name (case and spacing aside), so
organisers mark a place once and every agenda that names it points there.
"""

from __future__ import annotations

import io
import struct
import warnings
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from fusionforum.core import audit, clock, pagecache
from fusionforum.core.text import validate_single_line

from .models import MapSpot, VenueMap

PERMISSION = "programme.manage_programme"
MAX_PLAN_BYTES = 8 * 1024 * 1024
MAX_PLAN_SIDE = 8000
MAX_PLAN_PIXELS = 40_000_000
MIN_PLAN_SIDE = 100
OUTPUT_PLAN_SIDE = 2400
FORMATS = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


class VenueRefused(Exception):
    """The input is wrong; nothing was written."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


def _check_permission(event, by) -> None:
    if not by.has_perm(PERMISSION, event):
        raise PermissionDenied(_("Only the event's organisers can edit the venue map."))


def _format(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    for signature, name in FORMATS.items():
        if head.startswith(signature):
            return name
    return None


def process_plan(uploaded) -> tuple[bytes, int, int]:
    """A fresh PNG (at most OUTPUT_PLAN_SIDE pixels a side) of an uploaded PNG, JPEG or WebP
    floor plan, with its width and height; a VenueRefused saying why not otherwise."""
    size = getattr(uploaded, "size", None)
    limit = {"size": f"{MAX_PLAN_BYTES / (1024 * 1024):g}"}
    if size is not None and size > MAX_PLAN_BYTES:
        raise VenueRefused(_("The floor plan is larger than %(size)s MB.") % limit)
    uploaded.seek(0)
    data = uploaded.read(MAX_PLAN_BYTES + 1)
    if len(data) > MAX_PLAN_BYTES:
        raise VenueRefused(_("The floor plan is larger than %(size)s MB.") % limit)
    expected = _format(data[:16])
    if expected is None:
        raise VenueRefused(_("Upload the floor plan as PNG, JPEG or WebP."))
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[expected])
            width, height = image.size
            if (width > MAX_PLAN_SIDE or height > MAX_PLAN_SIDE
                    or width * height > MAX_PLAN_PIXELS):
                raise VenueRefused(_("The floor plan is too large (%(width)s × %(height)s "
                                     "pixels); at most %(side)s pixels a side.")
                                   % {"width": width, "height": height, "side": MAX_PLAN_SIDE})
            if width < MIN_PLAN_SIDE or height < MIN_PLAN_SIDE:
                raise VenueRefused(_("The floor plan is too small; at least %(side)s pixels a "
                                     "side.") % {"side": MIN_PLAN_SIDE})
            image.load()
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")
            image.thumbnail((OUTPUT_PLAN_SIDE, OUTPUT_PLAN_SIDE), Image.Resampling.LANCZOS)
            output = io.BytesIO()
            image.save(output, format="PNG", optimize=True)
    except VenueRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise VenueRefused(_("The floor plan has too many pixels.")) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            struct.error) as exc:
        raise VenueRefused(_("This image is damaged and cannot be read.")) from exc
    return output.getvalue(), image.size[0], image.size[1]


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    try:
        validate_single_line(name)
    except ValidationError as error:
        raise VenueRefused(error.messages) from error
    if not name:
        raise VenueRefused(_("Give it a name."))
    if len(name) > 120:
        raise VenueRefused(_("The name is longer than 120 characters."))
    return name


def upload_map(event, *, by, name: str, image) -> VenueMap:
    """A new floor plan for ``event`` (organisers only), checked and re-encoded."""
    _check_permission(event, by)
    name = _clean_name(name)
    data, width, height = process_plan(image)
    with transaction.atomic(durable=True):
        plan = VenueMap(event=event, name=name, width=width, height=height,
                        uploaded_at=clock.now())
        plan.image.save("plan.png", ContentFile(data), save=False)
        stored = plan.image.name
        storage = plan.image.storage
        try:
            plan.save()
            audit.record("programme.venue_map_uploaded", plan, actor=by,
                         summary=f"Floor plan “{name}” ({width}×{height})")
        except Exception:
            storage.delete(stored)
            raise
        pagecache.invalidate()
        transaction.on_commit(pagecache.invalidate)
    return plan


def delete_map(plan: VenueMap, *, by) -> None:
    _check_permission(plan.event, by)
    with transaction.atomic(durable=True):
        name, stored, storage = plan.name, plan.image.name, plan.image.storage
        audit.record("programme.venue_map_deleted", plan, actor=by,
                     summary=f"Floor plan “{name}” and its spots deleted")
        plan.delete()
        transaction.on_commit(lambda: storage.delete(stored))
        transaction.on_commit(pagecache.invalidate)


def _percent(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise VenueRefused(_("%(field)s must be a number from 0 to 100.") % {"field": field}) \
            from None
    if not number.is_finite() or number < 0 or number > 100:
        raise VenueRefused(_("%(field)s must be a number from 0 to 100.") % {"field": field})
    return number


def add_spot(plan: VenueMap, *, by, name: str, kind: str, x, y) -> MapSpot:
    """Mark a spot at ``x`` %, ``y`` % of the plan (organisers only)."""
    _check_permission(plan.event, by)
    name = _clean_name(name)
    if kind not in MapSpot.Kind.values:
        raise VenueRefused(_("Choose the kind of place."))
    x, y = _percent(x, "x"), _percent(y, "y")
    try:
        with transaction.atomic(durable=True):
            spot = MapSpot.objects.create(venue_map=plan, name=name, kind=kind, x=x, y=y)
            audit.record("programme.map_spot_added", spot, actor=by,
                         summary=f"Spot “{name}” at {x} %, {y} % of “{plan.name}”")
            pagecache.invalidate()
            transaction.on_commit(pagecache.invalidate)
    except IntegrityError:
        raise VenueRefused(_("This plan already has a spot with this name.")) from None
    return spot


def delete_spot(spot: MapSpot, *, by) -> None:
    _check_permission(spot.venue_map.event, by)
    with transaction.atomic(durable=True):
        audit.record("programme.map_spot_deleted", spot, actor=by,
                     summary=f"Spot “{spot.name}” removed from “{spot.venue_map.name}”")
        spot.delete()
        pagecache.invalidate()
        transaction.on_commit(pagecache.invalidate)


# Reading ----------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def spot_links(event) -> dict[str, str]:
    """{name key: address of the spot's page} for every spot of ``event``'s plans (the first
    spot of a name wins). One query; callers look names up with ``link_for``."""
    links: dict[str, str] = {}
    for spot_id, name in (MapSpot.objects.filter(venue_map__event=event)
                          .order_by("venue_map__name", "venue_map_id", "id")
                          .values_list("id", "name")):
        links.setdefault(_key(name), reverse("programme:spot", args=[event.slug, spot_id]))
    return links


def link_for(links: dict[str, str], name: str) -> str:
    return links.get(_key(name), "")


def maps_of(event):
    return list(VenueMap.objects.filter(event=event).prefetch_related("spots"))


def spot_of(event, spot_id) -> MapSpot | None:
    return (MapSpot.objects.select_related("venue_map")
            .filter(venue_map__event=event, pk=spot_id).first())


def map_of(event, map_id) -> VenueMap | None:
    return VenueMap.objects.filter(event=event, pk=map_id).first()


def open_plan(plan: VenueMap):
    try:
        return plan.image.storage.open(plan.image.name, "rb")
    except (FileNotFoundError, OSError):
        return None
