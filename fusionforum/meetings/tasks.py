from django_tasks import task


@task()
def run_scheduler(run_id: int) -> None:
    """Runs the optimiser for one ScheduleRun (progress and result are stored on the run)."""
    from . import services

    services.execute_run(run_id)
