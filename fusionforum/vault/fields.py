"""The identity fields a security office can ask for. Each event picks its own list (default:
what a nuclear site's access office asks for an identity card or passport)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class IdentityField:
    key: str
    label: str
    kind: str  # "text", "date", "country", "document_type"
    help: str = ""
    max_length: int = 100


DOCUMENT_TYPES = [("identity_card", "Identity card"), ("passport", "Passport")]

CATALOGUE: dict[str, IdentityField] = {f.key: f for f in [
    IdentityField("given_names", "Given names (as on the document)", "text",
                  "Every given name, exactly as printed on the identity document."),
    IdentityField("surname", "Surname (as on the document)", "text",
                  "The surname exactly as printed, including any second surname."),
    IdentityField("nationality", "Nationality", "country"),
    IdentityField("date_of_birth", "Date of birth", "date"),
    IdentityField("place_of_birth", "Place of birth", "text", "Town and country."),
    IdentityField("document_type", "Document type", "document_type"),
    IdentityField("document_number", "Document number", "text", max_length=40),
    IdentityField("document_expiry", "Document expiry date", "date",
                  "The document must still be valid on the day of your last tour."),
    IdentityField("second_nationality", "Second nationality (if any)", "country"),
    IdentityField("vehicle_registration", "Vehicle registration (if you drive to the site)",
                  "text", max_length=20),
]}

DEFAULT_FIELDS = ["given_names", "surname", "nationality", "date_of_birth", "place_of_birth",
                  "document_type", "document_number", "document_expiry"]
# Asked but optional when enabled: the person may have none.
OPTIONAL_FIELDS = {"second_nationality", "vehicle_registration"}


def labels(keys) -> list[str]:
    return [CATALOGUE[k].label if k in CATALOGUE else k for k in keys]
