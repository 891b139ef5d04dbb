from django_tasks import task

from .models import Registration


@task()
def expire_offer(registration_id: int) -> None:
    """Runs at an offer's deadline: expires it (if still open) and passes the seat on."""
    from . import services

    registration = Registration.objects.filter(pk=registration_id).select_related("event").first()
    if registration is not None:
        services.expire_offers(event=registration.event)
