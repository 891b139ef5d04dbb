import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from fusionforum.notifications import services
from fusionforum.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


def test_email_is_delivered_after_commit():
    with transaction.atomic():
        email = services.queue_email(to=["a@test.invalid"], subject="Hello", body="Body",
                                     purpose="test")
        assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert len(mail.outbox) == 1


def test_rolled_back_transaction_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.queue_email(to=["a@test.invalid"], subject="Hello", body="Body", purpose="t")
        raise RuntimeError("the surrounding change failed")
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


def test_subject_is_one_line():
    email = services.queue_email(to=["a@test.invalid"], subject="Line one\r\nBcc: x@y",
                                 body="b", purpose="t")
    assert email.subject == "Line one Bcc: x@y"


def test_no_recipient_is_refused():
    with pytest.raises(ValueError):
        services.queue_email(to=[], subject="s", body="b", purpose="t")


@override_settings(EMAIL_BACKEND="tests.failing_email_backend.FailingBackend")
def test_failures_are_recorded_and_can_be_retried():
    email = services.queue_email(to=["a@test.invalid"], subject="s", body="b", purpose="t")
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "ConnectionRefusedError" in email.last_error
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert services.retry_failed() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""


def test_delivery_is_idempotent():
    email = services.queue_email(to=["a@test.invalid"], subject="s", body="b", purpose="t")
    services.deliver(email.pk)
    services.deliver(email.pk)
    assert len(mail.outbox) == 1


def test_retry_backs_off():
    assert [services.retry_delay(n).total_seconds() // 60 for n in (1, 2, 3, 4)] == [1, 4, 16, 64]


@override_settings(
    EMAIL_BACKEND="tests.failing_email_backend.FailingBackend",
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
)
def test_a_failed_email_is_retried_later_by_the_worker():
    from django_tasks_db.models import DBTaskResult

    email = services.queue_email(to=["a@test.invalid"], subject="s", body="b", purpose="t")
    services.deliver(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert retry.task_path.endswith("deliver_email")
    assert retry.run_after is not None
    assert retry.args_kwargs["args"] == [email.pk]
