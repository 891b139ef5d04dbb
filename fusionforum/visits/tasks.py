from django_tasks import task

from .models import TourRun


@task()
def expire_waiting_places(run_id: int) -> None:
    """Runs when a tour run starts: its waiting places expire."""
    from . import services

    run = TourRun.objects.filter(pk=run_id).first()
    if run is not None:
        services.expire_waiting(now=max(run.start, services.clock.now()))
