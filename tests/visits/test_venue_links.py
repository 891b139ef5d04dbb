"""A tour run's meeting point and an expert's table link to the venue map's place of the same
name."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fusionforum.programme import venue

from ..cfp.conftest import make_image


def test_tour_page_links_the_meeting_point_to_its_place(client, event, tours, organiser,
                                                        make_participant, clock):
    plan = venue.upload_map(event, by=organiser, name="Site",
                            image=SimpleUploadedFile("p.png", make_image(300, 200)))
    spot = venue.add_spot(plan, by=organiser, name="Gate A", kind="meeting_point", x=5, y=90)
    client.force_login(make_participant("Ada"))
    html = client.get(f"/{event.slug}/visits/").content.decode()
    link = reverse("programme:spot", args=[event.slug, spot.pk])
    assert html.count(f'href="{link}"') == 2  # both runs of the main tour meet at Gate A
    assert "Gate B" in html and "(on the venue map)" in html
