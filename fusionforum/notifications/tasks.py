from django_tasks import task

from . import services


@task()
def deliver_email(email_id: int) -> None:
    services.deliver(email_id)
