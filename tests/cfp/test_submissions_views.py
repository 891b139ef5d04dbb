"""The speaker pages and the organisers' desk over HTTP: who sees what (the authorization
matrix), slides downloads and their headers, bad input, read-only after the deadline, XSS."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fusionforum.cfp import services
from fusionforum.cfp.models import KeyFigure, ReviewAssignment, Submission
from fusionforum.notifications.models import OutboundEmail

from ..conftest import login_verified, paris

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def form_data(people, **overrides):
    data = {
        "title": "Synthetic talk", "abstract": "Abstract.", "breakthroughs": "Done.",
        "breakthroughs_visibility": "public", "breakthrough_scale": "lab_experiment",
        "challenges": "Some.", "challenges_visibility": "aggregate", "iter_help": "Data.",
        "iter_help_visibility": "confidential", "speakers": [p.pk for p in people],
        "figures-TOTAL_FORMS": "1", "figures-INITIAL_FORMS": "0",
        "figures-0-label": "Pulse", "figures-0-value": "12.5", "figures-0-unit": "s",
        "action": "save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def people(make_submission, author, colleague, outsider, organiser, other_event_organiser,
           make_reviewer, make_participant, org_a, pdf_bytes):
    co_speaker = make_participant(org_a, email="cospeaker@test.invalid")
    submission = make_submission(author=author, speakers=[author, co_speaker],
                                 state="submitted", iter_help="CONFIDENTIAL-ANSWER",
                                 iter_help_visibility="confidential")
    services.upload_slides(submission, author, SimpleUploadedFile("s.pdf", pdf_bytes()))
    assigned = make_reviewer(email="assigned@test.invalid")
    ReviewAssignment.objects.create(submission=submission, reviewer=assigned,
                                    assigned_at=paris(2027, 5, 20))
    return {
        "submission": submission, "author": author, "co_speaker": co_speaker,
        "colleague": colleague, "outsider": outsider, "organiser": organiser,
        "other_organiser": other_event_organiser, "assigned": assigned,
        "unassigned": make_reviewer(email="unassigned@test.invalid"),
    }


def as_(client, person, *, staff=False):
    if person is None:
        return client
    if staff:
        login_verified(client, person)
    else:
        client.force_login(person)
    return client


SPEAKER_SIDE = {"anonymous": 302, "colleague": 404, "outsider": 404, "author": 200,
                "co_speaker": 200, "organiser": 404, "other_organiser": 404,
                "unassigned": 404}
SLIDES = {"anonymous": 404, "colleague": 404, "outsider": 404, "author": 200,
          "co_speaker": 200, "organiser": 200, "other_organiser": 404, "assigned": 200,
          "unassigned": 404}
DESK = {"colleague": 404, "outsider": 404, "author": 404, "organiser": 200,
        "other_organiser": 404, "assigned": 404}
STAFF = {"organiser", "other_organiser", "assigned", "unassigned"}


@pytest.mark.django_db
@pytest.mark.parametrize("who,expected", SPEAKER_SIDE.items())
def test_speaker_pages_matrix(client, people, who, expected):
    submission = people["submission"]
    as_(client, people.get(who), staff=who in STAFF)
    for suffix in ("edit/", "withdraw/", "confirm/"):
        response = client.get(f"/workshop-2027/call/{submission.code}/{suffix}")
        assert response.status_code == expected, suffix
        if expected == 302:  # signed out: to the login, and back afterwards
            assert response["Location"].startswith("/accounts/login/?next=")
        if expected == 404:
            assert submission.title.encode() not in response.content
            assert b"CONFIDENTIAL-ANSWER" not in response.content
    response = client.post(f"/workshop-2027/call/{submission.code}/edit/",
                           form_data([people["author"]], title="Hijacked"))
    assert response.status_code in (expected if expected == 404 else 302, 302)
    if expected in (404, 302) and who != "author" and who != "co_speaker":
        assert Submission.objects.get().title != "Hijacked"
        response = client.post(f"/workshop-2027/call/{submission.code}/withdraw/")
        assert response.status_code == expected
        assert Submission.objects.get().state == "submitted"


@pytest.mark.django_db
@pytest.mark.parametrize("who,expected", SLIDES.items())
def test_slides_matrix_and_headers(client, people, who, expected):
    as_(client, people.get(who), staff=who in STAFF)
    response = client.get(f"/workshop-2027/call/{people['submission'].code}/slides.pdf")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_organiser_without_second_factor_gets_no_slides(client, people):
    client.force_login(people["organiser"])
    response = client.get(f"/workshop-2027/call/{people['submission'].code}/slides.pdf")
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who,expected", DESK.items())
def test_desk_matrix(client, people, who, expected):
    submission = people["submission"]
    as_(client, people[who], staff=who in STAFF)
    for url in ("/manage/workshop-2027/call/",
                f"/manage/workshop-2027/call/submissions/{submission.code}/",
                f"/manage/workshop-2027/call/submissions/{submission.code}/slides.pdf",
                "/manage/workshop-2027/call/export.csv", "/manage/workshop-2027/call/settings/",
                "/manage/workshop-2027/call/categories/"):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 404:
            assert b"CONFIDENTIAL-ANSWER" not in b"".join(
                getattr(response, "streaming_content", [response.content]))


@pytest.mark.django_db
def test_desk_shows_everything_and_filters(client, people, make_submission, outsider):
    other = make_submission(author=outsider, state="submitted", title="Pinch results",
                            challenge_categories=["power-systems"])
    login_verified(client, people["organiser"])
    page = client.get("/manage/workshop-2027/call/").content.decode()
    assert people["submission"].title in page and "Pinch results" in page
    page = client.get("/manage/workshop-2027/call/?approach=z_pinch").content.decode()
    assert "Pinch results" in page and people["submission"].title not in page
    page = client.get("/manage/workshop-2027/call/?category=power-systems&state=submitted")
    assert "Pinch results" in page.content.decode()
    page = client.get(f"/manage/workshop-2027/call/?q={other.code}").content.decode()
    assert "Pinch results" in page and people["submission"].title not in page
    assert client.get("/manage/workshop-2027/call/?state=nonsense").status_code == 400
    detail = client.get(f"/manage/workshop-2027/call/submissions/{people['submission'].code}/")
    text = detail.content.decode()
    assert "CONFIDENTIAL-ANSWER" in text and "Draft" in text and "Submitted" in text


@pytest.mark.django_db
def test_desk_actions(client, people):
    submission = people["submission"]
    login_verified(client, people["organiser"])
    url = f"/manage/workshop-2027/call/submissions/{submission.code}/"
    assert client.post(url, {"action": "deadline", "edit_deadline": "2027-05-27T10:00"}
                       ).status_code == 302
    assert client.post(url, {"action": "duration", "duration_minutes": "30"}).status_code == 302
    assert client.post(url, {"action": "notes", "internal_notes": "Keep"}).status_code == 302
    submission.refresh_from_db()
    assert submission.edit_deadline == paris(2027, 5, 27, 10, 0)
    assert (submission.duration_minutes, submission.internal_notes) == (30, "Keep")
    bad = client.post(url, {"action": "deadline", "edit_deadline": "2027-05-01T10:00"})
    assert bad.status_code == 400 and b"after the call closes" in bad.content
    assert client.post(url, {"action": "duration", "duration_minutes": "999"}
                       ).status_code == 400
    submission.refresh_from_db()
    assert submission.duration_minutes == 30


@pytest.mark.django_db
def test_export_is_formula_safe(client, people, make_submission, author):
    make_submission(author=author, title="=HYPERLINK(\"http://evil\")", state="submitted")
    login_verified(client, people["organiser"])
    response = client.get("/manage/workshop-2027/call/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    titles = [row[2] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in titles
    assert "CONFIDENTIAL-ANSWER" in response.content.decode("utf-8-sig")
    xlsx = client.get("/manage/workshop-2027/call/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/manage/workshop-2027/call/export.exe").status_code == 404


@pytest.mark.django_db
class TestSpeakerForms:
    def test_create_with_key_figure(self, client, call, author):
        client.force_login(author)
        response = client.post("/workshop-2027/call/new/", form_data([author]))
        assert response.status_code == 302
        submission = Submission.objects.get()
        assert submission.state == "draft"
        assert str(submission.key_figures.get()) == "Pulse: 12.5 s"
        assert submission.iter_help_visibility == "confidential"
        services.update_submission(submission, author, services.SubmissionContent(
            title="T", speakers=[author], key_figures=[services.KeyFigureData(
                "Field", __import__("decimal").Decimal("480.000"), "T")]))
        page = client.get(f"/workshop-2027/call/{submission.code}/edit/").content.decode()
        assert 'value="480"' in page and "E+" not in page

    def test_add_row_without_javascript_saves_nothing(self, client, call, author):
        client.force_login(author)
        response = client.post("/workshop-2027/call/new/", form_data([author],
                                                                    action="add_figure"))
        assert response.status_code == 200
        assert b'name="figures-1-label"' in response.content
        assert b'value="Pulse"' in response.content
        assert not Submission.objects.exists()

    @pytest.mark.parametrize("overrides", [
        {"title": "Nul\x00byte"}, {"title": "Right\u202eleft"}, {"title": "zero\u200bwidth"},
        {"title": "t" * 201}, {"abstract": "a" * 1501}, {"speakers": []},
        {"figures-0-value": "lots"}, {"figures-0-label": ""},
        {"figures-0-value": "1" * 20}, {"breakthroughs_visibility": "everyone"},
        {"figures-TOTAL_FORMS": "40"},
    ])
    def test_bad_input_is_400_and_writes_nothing(self, client, call, author, overrides):
        client.force_login(author)
        response = client.post("/workshop-2027/call/new/", form_data([author], **overrides))
        assert response.status_code == 400
        assert b"was not saved" in response.content or b"key figures" in response.content
        assert not Submission.objects.exists() and not KeyFigure.objects.exists()

    def test_edit_update_and_submit(self, client, make_submission, author,
                                    django_capture_on_commit_callbacks):
        submission = make_submission(author=author)
        client.force_login(author)
        url = f"/workshop-2027/call/{submission.code}/edit/"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, form_data([author], title="Final", action="submit"))
        assert response.status_code == 302
        submission.refresh_from_db()
        assert (submission.title, submission.state) == ("Final", "submitted")
        assert OutboundEmail.objects.filter(purpose="cfp_submitted").count() == 1

    def test_after_deadline_read_only_and_post_refused(self, client, make_submission, author,
                                                       clock):
        submission = make_submission(author=author, state="submitted")
        client.force_login(author)
        clock.set(paris(2027, 5, 25))
        url = f"/workshop-2027/call/{submission.code}/edit/"
        page = client.get(url)
        assert page.status_code == 200
        assert b"deadline for changes passed" in page.content
        assert b'name="title"' not in page.content
        response = client.post(url, form_data([author], title="Too late"))
        assert response.status_code == 403
        assert Submission.objects.get().title != "Too late"

    def test_cannot_submit_explained(self, client, call, make_participant, org_a, clock):
        page = client.get("/workshop-2027/call/")
        assert b"Log in to submit" in page.content
        unregistered = make_participant(org_a, status=None)
        client.force_login(unregistered)
        assert b"Only registered participants" in client.get("/workshop-2027/call/").content
        response = client.post("/workshop-2027/call/new/", form_data([unregistered]))
        assert response.status_code == 403 and not Submission.objects.exists()
        clock.set(paris(2027, 6, 1))
        assert b"Closed." in client.get("/workshop-2027/call/").content

    def test_withdraw_with_confirmation(self, client, make_submission, author):
        submission = make_submission(author=author, state="submitted")
        client.force_login(author)
        url = f"/workshop-2027/call/{submission.code}/withdraw/"
        assert b"Yes, withdraw it" in client.get(url).content
        assert Submission.objects.get().state == "submitted"
        assert client.post(url, {"reason": "Bad\u202ereason"}).status_code == 400
        assert Submission.objects.get().state == "submitted"
        assert client.post(url, {"reason": "Cannot travel"}).status_code == 302
        assert Submission.objects.get().state == "withdrawn"

    def test_confirm_page(self, client, make_submission, author):
        submission = make_submission(author=author, state="accepted")
        client.force_login(author)
        url = f"/workshop-2027/call/{submission.code}/confirm/"
        assert b"I confirm I will present" in client.get(url).content
        client.post(url)
        assert Submission.objects.get().state == "confirmed"
        client.post(url)  # a second confirmation is refused readably, nothing changes
        assert Submission.objects.get().state == "confirmed"

    def test_call_page_lists_organisation_submissions(self, client, make_submission, author,
                                                      colleague, outsider):
        mine = make_submission(author=author, title="Mine")
        theirs = make_submission(author=colleague, title="Colleague's")
        make_submission(author=outsider, title="Foreign")
        client.force_login(author)
        page = client.get("/workshop-2027/call/").content.decode()
        assert f"/call/{mine.code}/edit/" in page
        assert "Colleague&#x27;s" in page and f"/call/{theirs.code}/edit/" not in page
        assert "Foreign" not in page


@pytest.mark.django_db
def test_xss_is_inert_on_pages_and_in_emails(client, call, author, organiser,
                                             django_capture_on_commit_callbacks):
    client.force_login(author)
    data = form_data([author], title=XSS[:200], abstract=XSS, breakthroughs=XSS,
                     challenges=XSS, iter_help=XSS, action="submit")
    data["figures-0-label"] = "<b>x</b>"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/workshop-2027/call/new/", data).status_code == 302
    submission = Submission.objects.get()
    pages = [client.get("/workshop-2027/call/"),
             client.get(f"/workshop-2027/call/{submission.code}/edit/")]
    client.post("/workshop-2027/call/profile/", {"bio": XSS + "\n\n[link](javascript:alert(1))"})
    pages.append(client.get("/workshop-2027/call/profile/"))
    login_verified(client, organiser)
    pages += [client.get("/manage/workshop-2027/call/"),
              client.get(f"/manage/workshop-2027/call/submissions/{submission.code}/")]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "href=\"javascript" not in html
    mail = OutboundEmail.objects.get(purpose="cfp_submitted")
    assert "\n" not in mail.subject  # one line; plain text, never rendered as HTML
    assert XSS[:50] in mail.subject or XSS[:50] in mail.body
