"""A webhook endpoint of the demo workshop with a delivered message, for the suites that sweep
every page and form over the loaded demo (the demo itself registers no endpoint: it has no
receiver to send to). The address is a closed port on loopback, which the tests' settings
allow."""

from __future__ import annotations

URL = "http://127.0.0.1:9/demo-receiver"


def demo_endpoint(event):
    """(endpoint, message) of ``event``, made once."""
    from fusionforum.core import clock
    from fusionforum.webhooks import services
    from fusionforum.webhooks.models import Attempt, Endpoint, Message

    endpoint = Endpoint.objects.filter(event=event, url=URL).first()
    if endpoint is None:
        endpoint = Endpoint.objects.create(
            event=event, url=URL, description="Demo CRM",
            event_types=["registration.created", "checkin.created"],
            secret=services.new_secret(), created_at=clock.now())
    message = endpoint.messages.order_by("pk").first()
    if message is None:
        now = clock.now()
        message = Message.objects.create(
            endpoint=endpoint, webhook_id=f"msg_demo{endpoint.pk:08d}",
            event_type="webhook.ping", object_key=f"ping:{endpoint.pk}",
            body='{"type":"webhook.ping","timestamp":"2027-05-20T10:00:00+00:00","data":{}}',
            created_at=now, outcome=Message.Outcome.DELIVERED, attempts=1, finished_at=now)
        Attempt.objects.create(message=message, number=1, at=now, succeeded=True,
                               status_code=204, latency_ms=42)
    return endpoint, message
