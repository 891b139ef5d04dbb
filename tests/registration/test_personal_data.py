import json

import pytest

from fusionforum.accounts import personal_data
from fusionforum.registration.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)


def test_registration_data_is_exported_and_anonymised(open_registration, make_person, register,
                                                      event):
    question = event.questions.create(label="Job title", kind="text")
    open_registration(capacity=1, delegates_per_organisation=None)
    leaving = make_person()
    waiting = make_person()
    mine = register(leaving, answers={str(question.pk): "Plasma physicist"}, consent=True)
    theirs = register(waiting)
    data = personal_data.export(leaving)
    entry = data["registrations"][0]
    assert entry["answers"] == {"Job title": "Plasma physicist"}
    assert entry["status"] == "confirmed"
    assert [h["to"] for h in entry["history"]] == ["confirmed"]
    json.dumps(data)  # serialisable as is

    personal_data.anonymise(leaving)
    mine.refresh_from_db()
    assert mine.status == "cancelled"
    assert mine.answers == {} and not mine.consent_public_list
    # The freed seat went to the waiting list.
    assert Registration.objects.get(pk=theirs.pk).status == "offered"
