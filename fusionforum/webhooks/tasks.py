from django_tasks import task

from . import services


@task()
def deliver_webhooks(endpoint_id: int) -> None:
    services.deliver_due(endpoint_id)


@task()
def redeliver_webhook(message_id: int) -> None:
    services.redeliver_now(message_id)
