"""Background work of the campaigns module."""

from django.tasks import task

from . import services


@task()
def recompute_attribution() -> dict[str, int]:
    """Rebuild first- and last-touch attribution of every lead, deal and order (nightly: picks
    up touches recorded with an earlier date, e.g. imported responses)."""
    return services.attribute_all()
