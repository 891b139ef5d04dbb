"""Name badges: the signed code in their QR code and the PDF itself.

A badge's QR code holds ``Signer(salt="fusionforum.badge")`` over ``"<registration id>:<badge
nonce>"``. The signature proves the code was made here; the nonce lets a badge be revoked by
giving the registration a new nonce (the old badge then no longer matches). The code carries
no personal data: the front desk looks the person up from the registration id.

The PDF is drawn with reportlab (A6 portrait, one badge per page). Names in any script must not
break it: with DejaVu Sans installed (Debian's fonts-dejavu-core) it is embedded; otherwise the
built-in Helvetica is used. Characters the chosen font cannot draw are replaced (accents
dropped where that helps, else "?"); a name that would be mostly lost falls back to the
e-mail address's local part.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import segno
from django.core import signing
from django.http import HttpResponse
from django.utils import formats
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from fusionforum.core.languages import speaking_to
from fusionforum.core.text import forbidden_characters
from fusionforum.events.models import TeamMembership

from .models import Registration

SALT = "fusionforum.badge"
MAX_TOKEN_LENGTH = 200

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

BRAND = HexColor("#0b3d5c")
ACCENT = HexColor("#8a5a00")
INK = HexColor("#14202b")
MUTED = HexColor("#44535f")


# Token ----------------------------------------------------------------------------------------


class BadgeError(Exception):
    """A badge code that does not stand for a current registration. ``code`` names the reason
    for programs; the message says it for people."""

    code = "invalid"


class ForgedBadge(BadgeError):
    code = "forged"

    def __init__(self, message=None):
        super().__init__(message or _("This code was not issued by this site (or was misread)."))


class UnknownBadge(BadgeError):
    code = "unknown"

    def __init__(self, message=None):
        super().__init__(message or _("No registration matches this badge."))


class RevokedBadge(BadgeError):
    code = "revoked"

    def __init__(self, registration=None,
                 message=None):
        super().__init__(message
                         or _("This badge was replaced by a newer one and is no longer valid."))
        self.registration = registration


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def badge_token(registration: Registration) -> str:
    """The code printed as the badge's QR code."""
    return _signer().sign(f"{registration.pk}:{registration.badge_nonce}")


def parse_token(token: str) -> tuple[int, str]:
    """The registration id and nonce a genuine code holds; ForgedBadge for anything else.

    Surrounding whitespace (a scanner's Enter, a pasted line break) is ignored.
    """
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise ForgedBadge()
    try:
        value = _signer().unsign(token)
    except signing.BadSignature as exc:
        raise ForgedBadge() from exc
    pk, sep, nonce = value.partition(":")
    if not sep or not pk.isascii() or not pk.isdigit() or not nonce or len(pk) > 18:
        raise ForgedBadge()
    return int(pk), nonce


def nonce_matches(registration: Registration, nonce: str) -> bool:
    return constant_time_compare(registration.badge_nonce, nonce)


def registration_for_token(token: str) -> Registration:
    """The registration a badge code stands for.

    Raises ForgedBadge (bad signature, garbled), UnknownBadge (no such registration) or
    RevokedBadge (the registration's badge was reissued since). Says nothing about its status:
    callers decide what a cancelled registration's badge is worth.
    """
    pk, nonce = parse_token(token)
    registration = (Registration.objects.select_related("event", "user", "organisation")
                    .filter(pk=pk).first())
    if registration is None:
        raise UnknownBadge()
    if not nonce_matches(registration, nonce):
        raise RevokedBadge(registration)
    return registration


# What a badge shows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeData:
    event_title: str
    event_line: str
    name: str
    fallback_name: str
    organisation: str
    role: str
    token: str
    organiser: bool = False
    show_code: str = "Show this code at the front desk"


def organiser_ids(event) -> set[int]:
    return set(TeamMembership.objects.filter(event=event, role=TeamMembership.Role.ORGANISER)
               .values_list("user_id", flat=True))


def _event_line(event) -> str:
    start, end = event.start_date, event.end_date
    if start == end:
        dates = formats.date_format(start, "j F Y")
    elif (start.year, start.month) == (end.year, end.month):
        dates = f"{start.day}–{formats.date_format(end, 'j F Y')}"
    elif start.year == end.year:
        dates = f"{formats.date_format(start, 'j F')} – {formats.date_format(end, 'j F Y')}"
    else:
        dates = f"{formats.date_format(start, 'j F Y')} – {formats.date_format(end, 'j F Y')}"
    return f"{dates} · {event.venue_name}" if event.venue_name else dates


def badge_data(registration: Registration, *, organisers: set[int] | None = None) -> BadgeData:
    """What the badge shows, its fixed texts (role, dates, the hint under the code) in the
    badge holder's language (``core.languages.speaking_to``), whoever prints it."""
    event = registration.event
    user = registration.user
    if organisers is None:
        organisers = organiser_ids(event)
    local_part = user.email.split("@", 1)[0]
    organiser = user.pk in organisers
    with speaking_to(user, event):
        return BadgeData(
            event_title=str(event.title),
            event_line=_event_line(event),
            name=" ".join((user.full_name or "").split()) or local_part,
            fallback_name=local_part,
            organisation=registration.organisation.name,
            role=(pgettext("badge role", "Organiser") if organiser
                  else pgettext("badge role", "Participant")),
            token=badge_token(registration),
            organiser=organiser,
            show_code=_("Show this code at the front desk"),
        )


# Fonts and characters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    unicode: bool


@functools.cache
def fonts() -> Fonts:
    """DejaVu Sans when Debian's font is installed, else reportlab's built-in Helvetica."""
    if DEJAVU.is_file() and DEJAVU_BOLD.is_file():
        try:
            pdfmetrics.registerFont(TTFont("FFBadgeSans", str(DEJAVU)))
            pdfmetrics.registerFont(TTFont("FFBadgeSans-Bold", str(DEJAVU_BOLD)))
            return Fonts("FFBadgeSans", "FFBadgeSans-Bold", True)
        except Exception:  # noqa: BLE001, S110 - an unreadable font file: use the built-in one
            pass
    return Fonts("Helvetica", "Helvetica-Bold", False)


# Letters that carry no decomposition to a plain letter but have an obvious Latin stand-in.
_STAND_INS = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i",
              "Ŋ": "N", "ŋ": "n", "Ŧ": "T", "ŧ": "t", "‐": "-", "‑": "-", "−": "-"}


@functools.cache
def _supported(font_name: str, char: str) -> bool:
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    char_to_glyph = getattr(face, "charToGlyph", None)
    if char_to_glyph is not None and isinstance(char_to_glyph, dict):
        # An embedded TrueType font: does it have a glyph for this character?
        return ord(char) in char_to_glyph
    # A built-in Type 1 font in WinAnsi encoding.
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def drawable(text: str, font_name: str) -> tuple[str, int]:
    """``text`` with every character the font cannot draw replaced; and how many were lost."""
    text = unicodedata.normalize("NFC", text or "")
    bad = set(forbidden_characters(text, multiline=True)) | {"\n", "\t", "\r"}
    out, lost = [], 0
    for char in text:
        if char in bad:
            out.append(" ")
            continue
        if _supported(font_name, char):
            out.append(char)
            continue
        candidates = [unicodedata.normalize("NFKC", char), _STAND_INS.get(char, ""),
                      "".join(c for c in unicodedata.normalize("NFKD", char)
                              if not unicodedata.combining(c))]
        replacement = next((c for c in candidates
                            if c and all(_supported(font_name, x) for x in c)), None)
        if replacement is None:
            out.append("?")
            lost += 1
        else:
            out.append(replacement)
    return " ".join("".join(out).split()), lost


def drawable_name(name: str, fallback: str, font_name: str) -> str:
    text, lost = drawable(name, font_name)
    letters = sum(1 for ch in name if not ch.isspace())
    if lost and lost * 2 >= letters:
        # Most of the name cannot be drawn: the e-mail's local part says more than "???".
        alt, alt_lost = drawable(fallback, font_name)
        if alt and not alt_lost:
            return alt
    return text


# Drawing --------------------------------------------------------------------------------------


def _fit(text: str, font: str, width: float, sizes: Iterable[float], max_lines: int):
    """The largest size at which ``text`` fits ``width`` in at most ``max_lines`` lines;
    at the smallest size, cut with an ellipsis if it still does not fit."""
    sizes = list(sizes)
    for size in sizes:
        if pdfmetrics.stringWidth(text, font, size) <= width:
            return [text], size
    for size in sizes:
        lines = simpleSplit(text, font, size, width)
        if len(lines) <= max_lines and all(
                pdfmetrics.stringWidth(line, font, size) <= width for line in lines):
            return lines, size
    size = sizes[-1]
    lines = simpleSplit(text, font, size, width)[:max_lines] or [""]
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last.rstrip() + "…", font, size) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return lines, size


QR_BORDER = 4  # modules of quiet zone around the code


@functools.lru_cache(maxsize=1024)  # about 13 kB a code
def badge_qr_rows(token: str) -> tuple[tuple[bool, ...], ...]:
    """The badge's QR code as rows of modules (True is dark), quiet zone included: what the
    printed badge shows and what the front desk's camera reads. Encoding (choosing the mask)
    is most of a badge's drawing time and depends on the token alone, so a sheet printed again
    (the desk reprints the whole event after each late registration) reuses the codes."""
    qr = segno.make(token, error="m", micro=False)
    return tuple(tuple(bool(module) for module in row)
                 for row in qr.matrix_iter(scale=1, border=QR_BORDER))


def _draw_qr(canvas: Canvas, token: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares (one rectangle per horizontal run of dark modules),
    quiet zone included, with its lower-left corner at (x, y)."""
    rows = badge_qr_rows(token)
    modules = len(rows)
    cell = size / modules
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        c = 0
        while c < modules:
            if row[c]:
                start = c
                while c < modules and row[c]:
                    c += 1
                path.rect(x + start * cell, y + size - (r + 1) * cell, (c - start) * cell, cell)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_centred(canvas: Canvas, lines: list[str], font: str, size: float, top: float,
                  centre_x: float) -> float:
    """Draw ``lines`` centred, the first one's cap height at ``top``; return the last
    baseline's descent (where the next block may start)."""
    canvas.setFont(font, size)
    leading = size * 1.2
    baseline = top - size * 0.75
    for line in lines:
        canvas.drawCentredString(centre_x, baseline, line)
        baseline -= leading
    return baseline + leading - size * 0.25


def draw_badge(canvas: Canvas, data: BadgeData) -> None:
    f = fonts()
    width, height = A6
    margin = 8 * mm
    inner = width - 2 * margin
    centre = width / 2

    # Event band at the top.
    band = 30 * mm
    canvas.setFillColor(BRAND)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.setFillColor(white)
    title, _lost = drawable(data.event_title, f.bold)
    lines, size = _fit(title, f.bold, inner, (16, 14, 12, 11, 10), 2)
    below = _draw_centred(canvas, lines, f.bold, size, height - 7 * mm, centre)
    line, _lost = drawable(data.event_line, f.regular)
    lines, size = _fit(line, f.regular, inner, (9, 8, 7), 1)
    _draw_centred(canvas, lines, f.regular, size, below - 3 * mm, centre)

    # Name and organisation.
    canvas.setFillColor(INK)
    name = drawable_name(data.name, data.fallback_name, f.bold)
    lines, size = _fit(name, f.bold, inner, (28, 26, 24, 22, 20, 18, 16, 14), 2)
    below = _draw_centred(canvas, lines, f.bold, size, height - band - 11 * mm, centre)
    canvas.setFillColor(MUTED)
    organisation, _lost = drawable(data.organisation, f.regular)
    lines, size = _fit(organisation, f.regular, inner, (15, 14, 13, 12, 11, 10), 2)
    below = _draw_centred(canvas, lines, f.regular, size, below - 5 * mm, centre)

    # Role band at the bottom, the QR code above it.
    role_band = 16 * mm
    canvas.setFillColor(ACCENT if data.organiser else BRAND)
    canvas.rect(0, 0, width, role_band, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(f.bold, 18)
    canvas.drawCentredString(centre, role_band / 2 - 6, data.role.upper())

    # As large as the space between the texts and the role band allows (quiet zone included).
    floor = role_band + 8 * mm
    space = below - 3 * mm - floor
    qr_size = max(30 * mm, min(50 * mm, space))
    qr_y = floor + max(0, (space - qr_size) / 2)
    _draw_qr(canvas, data.token, centre - qr_size / 2, qr_y, qr_size)
    canvas.setFillColor(MUTED)
    canvas.setFont(f.regular, 7)
    hint, _lost = drawable(data.show_code, f.regular)
    canvas.drawCentredString(centre, qr_y - 1 * mm, hint)


def render_badges(registrations: Iterable[Registration], *, title: str) -> bytes:
    """One A6 page per registration (select_related event, user, organisation)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Fusion Forum")
    canvas.setCreator("Fusion Forum")
    organisers: dict[int, set[int]] = {}
    pages = 0
    for registration in registrations:
        event_id = registration.event_id
        if event_id not in organisers:
            organisers[event_id] = organiser_ids(registration.event)
        draw_badge(canvas, badge_data(registration, organisers=organisers[event_id]))
        canvas.showPage()
        pages += 1
    if not pages:
        canvas.setFont(fonts().regular, 12)
        canvas.drawString(15 * mm, A6[1] - 25 * mm, _("No confirmed registrations yet."))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
