"""Checks for the files speakers upload: slides (PDF) and photos (JPEG, PNG or WebP).

Nothing is trusted from the upload: not its name, not its declared content type. A PDF must
start with the ``%PDF-`` signature AND be parsed by pypdf (encrypted or broken files are
refused), so a renamed HTML page or an executable cannot pass. A photo must carry the
signature of a real raster format, have sane dimensions (a small file that decompresses to a
gigantic bitmap, an "image bomb", is refused before its pixels are decoded) and is re-encoded
to a fresh JPEG without metadata, so no byte of the upload is ever stored or served.
"""

from __future__ import annotations

import io
import struct
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF_SIGNATURE = b"%PDF-"
MAX_PDF_PAGES = 500

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDE = 8000  # pixels, either side
MAX_PHOTO_PIXELS = 40_000_000
MIN_PHOTO_SIDE = 32
OUTPUT_PHOTO_SIDE = 1200  # the stored JPEG fits in this square
PHOTO_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


def _too_large(what: str, max_bytes: int) -> str:
    limit = {"size": f"{max_bytes / (1024 * 1024):g}"}
    if what == "photo":
        return _("The photo is larger than %(size)s MB.") % limit
    return _("The slides file is larger than %(size)s MB.") % limit


def _read_limited(uploaded, max_bytes: int, what: str) -> bytes:
    """The upload's bytes, refusing anything over ``max_bytes`` without reading it all.
    ``what``: "slides" or "photo" (each has its own sentences)."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(_too_large(what, max_bytes), code="too_large")
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_too_large(what, max_bytes), code="too_large")
    if not data:
        raise ValidationError(_("The photo is empty.") if what == "photo"
                              else _("The slides file is empty."), code="empty")
    return data


def check_pdf(uploaded, *, max_bytes: int) -> bytes:
    """The bytes of a real, readable, unencrypted PDF, or a ValidationError saying why not."""
    data = _read_limited(uploaded, max_bytes, "slides")
    if not data.startswith(PDF_SIGNATURE):
        raise ValidationError(
            _("This file is not a PDF (it does not start like one). Export your slides as PDF "
              "and upload that file."), code="not_pdf")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise ValidationError(
                    _("This PDF is password-protected or encrypted. Upload an unprotected "
                      "copy."),
                    code="encrypted")
            pages = len(reader.pages)
            if pages:
                reader.pages[0].mediabox  # noqa: B018 - reads the first page's dictionary
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError) as exc:
        raise ValidationError(_("This PDF is damaged and cannot be read. Export it again."),
                              code="corrupt") from exc
    if pages < 1:
        raise ValidationError(_("This PDF has no pages."), code="corrupt")
    if pages > MAX_PDF_PAGES:
        raise ValidationError(_("Slides may have at most %(count)s pages.")
                              % {"count": MAX_PDF_PAGES},
                              code="too_many_pages")
    return data


def _photo_format(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def process_photo(uploaded) -> bytes:
    """A fresh JPEG (RGB, no metadata, at most OUTPUT_PHOTO_SIDE pixels a side) made from an
    uploaded JPEG, PNG or WebP photo; a ValidationError for anything else."""
    data = _read_limited(uploaded, MAX_PHOTO_BYTES, "photo")
    expected = _photo_format(data[:16])
    if expected is None:
        raise ValidationError(_("Upload a photo as JPEG, PNG or WebP."), code="not_image")
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[expected])
            width, height = image.size
            if (width > MAX_PHOTO_SIDE or height > MAX_PHOTO_SIDE
                    or width * height > MAX_PHOTO_PIXELS):
                raise ValidationError(
                    _("The photo is too large (%(width)s × %(height)s pixels); at most "
                      "%(side)s pixels a side.") % {"width": width, "height": height,
                                                    "side": MAX_PHOTO_SIDE},
                    code="too_many_pixels")
            if width < MIN_PHOTO_SIDE or height < MIN_PHOTO_SIDE:
                raise ValidationError(
                    _("The photo is too small; at least %(side)s pixels a side.")
                    % {"side": MIN_PHOTO_SIDE},
                    code="too_small")
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "P", "PA"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            elif image.mode != "RGB":
                image = image.convert("RGB")
            image.thumbnail((OUTPUT_PHOTO_SIDE, OUTPUT_PHOTO_SIDE), Image.Resampling.LANCZOS)
            output = io.BytesIO()
            image.save(output, format="JPEG", quality=85, optimize=True, progressive=True)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("The photo has too many pixels."),
                              code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            struct.error) as exc:
        raise ValidationError(_("This image is damaged and cannot be read."),
                              code="corrupt") from exc
    return output.getvalue()

