"""The identity fields a security office can ask for. Each event picks its own list (default:
what a nuclear site's access office asks for an identity card or passport)."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext_lazy as _
from django_countries import countries


@dataclasses.dataclass(frozen=True)
class IdentityField:
    key: str
    label: str  # lazily translated
    kind: str  # "text", "date", "country", "document_type"
    help: str = ""
    max_length: int = 100


DOCUMENT_TYPES = [("identity_card", _("Identity card")), ("passport", _("Passport"))]

CATALOGUE: dict[str, IdentityField] = {f.key: f for f in [
    IdentityField("given_names", _("Given names (as on the document)"), "text",
                  _("Every given name, exactly as printed on the identity document.")),
    IdentityField("surname", _("Surname (as on the document)"), "text",
                  _("The surname exactly as printed, including any second surname.")),
    IdentityField("nationality", _("Nationality"), "country"),
    IdentityField("date_of_birth", _("Date of birth"), "date"),
    IdentityField("place_of_birth", _("Place of birth"), "text", _("Town and country.")),
    IdentityField("document_type", _("Document type"), "document_type"),
    IdentityField("document_number", _("Document number"), "text", max_length=40),
    IdentityField("document_expiry", _("Document expiry date"), "date",
                  _("The document must still be valid on the day of your last tour.")),
    IdentityField("second_nationality", _("Second nationality (if any)"), "country"),
    IdentityField("vehicle_registration", _("Vehicle registration (if you drive to the site)"),
                  "text", max_length=20),
]}

DEFAULT_FIELDS = ["given_names", "surname", "nationality", "date_of_birth", "place_of_birth",
                  "document_type", "document_number", "document_expiry"]
# Asked but optional when enabled: the person may have none.
OPTIONAL_FIELDS = {"second_nationality", "vehicle_registration"}


def labels(keys) -> list[str]:
    """The fields' labels in the active language."""
    return [str(CATALOGUE[k].label) if k in CATALOGUE else k for k in keys]


def shown_value(key: str, value):
    """A stored value as a person reads it: a document type's label, not its code; a country's
    name in the active language followed by its ISO code (what an access office's form asks)."""
    kind = CATALOGUE[key].kind if key in CATALOGUE else "text"
    if kind == "document_type":
        return str(dict(DOCUMENT_TYPES).get(value, value))
    if kind == "country" and value:
        name = countries.name(value)
        return f"{name} ({value})" if name else value
    return value
