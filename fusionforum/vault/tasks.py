from django_tasks import task

from fusionforum.events.models import Event


@task()
def purge_event(event_id: int) -> None:
    """Runs at a record's purge date (queued by submit and decide): deletes every value of the
    event that is past its retention. Stale jobs are harmless: the dates are checked again."""
    from . import services

    event = Event.objects.filter(pk=event_id).first()
    if event is not None:
        services.purge_due(event=event)


@task()
def reclaim_space() -> None:
    """Queued a while after each purge: rewrites the vault's table again, for the old row
    versions that a transaction open at the purge still protected (services.reclaim_space)."""
    from . import services

    services.reclaim_space()
