"""Background work of workflows: thin tasks that load by id and call the engine."""

from django.tasks import task

from . import engine, services


@task()
def advance_run(run_id: int) -> str | None:
    return engine.advance(run_id)


@task()
def fire_timers() -> dict:
    """Every minute: schedule (cron) triggers, then wake waiting runs whose time came."""
    return {"scheduled": services.fire_schedules(), "woken": engine.wake_due()}


@task()
def fire_date_triggers() -> int:
    return services.fire_dates()
