"""Importing organisations from CSV: all rows valid or nothing written; every problem listed
with its row; broken files refused with a clear message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fusionforum.accounts.models import Organisation
from fusionforum.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = "name,kind,country,website,fusion_approach\n"


def upload(client, event, content, name="organisations.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(
        reverse("registration:desk_organisations_import", kwargs={"slug": event.slug}),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


@pytest.fixture
def existing(desk_world):
    return set(Organisation.objects.values_list("name", flat=True))


def names(existing):
    return set(Organisation.objects.values_list("name", flat=True)) - existing


def test_valid_file_imports_every_row(desk_world, desk_client, event, existing, organiser):
    content = HEADER + (
        "Nova Torus Ltd,private_developer,GB,novatorus.example,Spherical tokamak\n"
        '"Institut de Physique, Plasmas",Public laboratory or agency,france,'
        "https://ipp.example.org,\n"
        "\n"
        "  Zürich   Magnet  AG ,supplier,ch,,\n"
    )
    response = upload(desk_client, event, "\ufeff" + content)
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:desk_organisations",
                                           kwargs={"slug": event.slug})
    assert names(existing) == {"Nova Torus Ltd", "Institut de Physique, Plasmas",
                               "Zürich Magnet AG"}
    nova = Organisation.objects.get(name="Nova Torus Ltd")
    assert (nova.kind, nova.country.code, nova.website, nova.fusion_approach) == (
        "private_developer", "GB", "https://novatorus.example", "spherical_tokamak")
    lab = Organisation.objects.get(name="Institut de Physique, Plasmas")
    assert (lab.kind, lab.country.code) == ("public_lab", "FR")
    entry = AuditEntry.objects.get(action="organisations.imported")
    assert entry.actor == organiser and entry.data == {"rows": 3}


def test_semicolon_separated_file(desk_world, desk_client, event, existing):
    response = upload(desk_client, event,
                      "name;kind;country;website;fusion_approach\nPolaris Optics;supplier;DE;;\n")
    assert response.status_code == 302
    assert names(existing) == {"Polaris Optics"}


def test_one_bad_row_imports_nothing_and_names_the_row(desk_world, desk_client, event,
                                                       existing):
    content = HEADER + (
        "Good One,supplier,FR,,\n"
        "Bad Kind,spaceship,FR,,\n"
        "Good Two,academia,DE,,\n"
    )
    response = upload(desk_client, event, content)
    assert response.status_code == 400
    assert names(existing) == set()
    errors = [str(e) for e in response.context["errors"]]
    assert len(errors) == 1
    assert errors[0].startswith("Row 3, kind: “spaceship” is not a kind")
    html = response.content.decode()
    assert "Nothing was imported" in html and "Row 3" in html


def test_every_problem_is_listed(desk_world, desk_client, event, existing):
    content = HEADER + (
        "helios plasma works,supplier,FR,,\n"         # row 2: exists (other letter case)
        "Twin,supplier,FR,,\n"                        # row 3
        "TWIN,supplier,FR,,\n"                        # row 4: same as row 3
        "Dev Without Approach,private_developer,FR,,\n"   # row 5
        "Lab With Approach,public_lab,FR,,tokamak\n"  # row 6
        ",supplier,Narnia,not a url,\n"               # row 7: no name, bad country, bad URL
        "Fine,supplier,FR,,\n"
    )
    response = upload(desk_client, event, content)
    assert response.status_code == 400
    assert names(existing) == set()
    errors = {(e.row, e.column): e.message for e in response.context["errors"]}
    assert "already exists" in errors[(2, "name")]
    assert errors[(4, "name")] == "Same name as row 3."
    assert "Say which approach" in errors[(5, "fusion_approach")]
    assert "Only private fusion developers" in errors[(6, "fusion_approach")]
    assert {(7, "name"), (7, "country"), (7, "website")} <= set(errors)
    assert not any(row in (3, 8) for row, _ in errors)


@pytest.mark.parametrize(
    ("bad_name", "code"),
    [("Null\x00Byte Fusion", "U+0000"), ("Evil\u202eCorp", "U+202E"),
     ("Zero\u200bWidth", "U+200B"), ("Joiner\u200dCo", "U+200D")],
)
def test_invisible_and_control_characters_are_refused(desk_world, desk_client, event,
                                                      existing, bad_name, code):
    response = upload(desk_client, event, HEADER + f"Fine Co,supplier,FR,,\n{bad_name},"
                                                    "supplier,FR,,\n")
    assert response.status_code == 400
    assert names(existing) == set()
    [error] = response.context["errors"]
    assert (error.row, error.column) == (3, "name")
    assert code in error.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER + 'Open "Quote,supplier,FR,,\n"Never closed,supplier,FR,,\n',
         "not valid CSV"),
        (HEADER + "Two,supplier\n", "same number of columns"),
        (HEADER + "Too,many,FR,,,extra\n", "same number of columns"),
        ("Nova Torus Ltd,supplier,GB,,\n", "must name the columns"),
        ("name,kind,country\nNova,supplier,GB\n", "Missing columns: website, fusion_approach"),
        (HEADER, "no organisations"),
        ("Société,supplier,FR,,\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not UTF-8"),
        (("\x00\x01\x02\x03" * 200).encode(), "binary data"),
    ],
)
def test_malformed_files_are_refused(desk_world, desk_client, event, existing, content,
                                     message):
    response = upload(desk_client, event, content)
    assert response.status_code == 400
    assert names(existing) == set()
    malformed = response.context["malformed"]
    assert malformed is not None
    assert message in malformed.message + " ".join(malformed.details)
    assert "The file could not be read" in response.content.decode()


def test_oversized_file_is_refused(desk_world, desk_client, event, existing):
    row = "Padding Organisation {n},supplier,FR,,\n"
    content = HEADER + "".join(row.format(n=n) for n in range(40_000))
    assert len(content) > 1_000_000
    response = upload(desk_client, event, content)
    assert response.status_code == 400
    assert "larger than 1 MB" in response.context["malformed"].message
    assert names(existing) == set()


def test_missing_or_empty_file_is_a_form_error(desk_world, desk_client, event):
    response = desk_client.post(reverse("registration:desk_organisations_import",
                                        kwargs={"slug": event.slug}), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = upload(desk_client, event, b"")
    assert response.status_code == 400
    assert "The submitted file is empty" in response.content.decode()


def test_a_name_taken_meanwhile_writes_nothing(desk_world, event, organiser, existing):
    from fusionforum.registration import imports

    check = imports.check_rows(imports.read_rows(HEADER + "Alpha,supplier,FR,,\n"
                                                          "Beta,supplier,FR,,\n"))
    assert check.ok
    Organisation.objects.create(name="BETA", kind="supplier", country="FR")
    with pytest.raises(imports.MalformedFile):
        imports.import_organisations(check, by=organiser, event=event)
    assert names(existing) == {"BETA"}
