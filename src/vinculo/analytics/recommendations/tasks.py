"""Background work: rebuild the recommendation model and retrain lead scoring (thin: the
services do the work). Both run nightly through the recurring-job scheduler (hooks.py)."""

from django.tasks import task

from . import leadscoring, services


@task()
def build_recommendations() -> int:
    """Rebuild the recommendation model and measure it on the holdout; returns how many
    recommendations were stored."""
    build = services.build()
    services.evaluate()
    return build.recommendations


@task()
def train_lead_scoring() -> int:
    """Retrain the lead-scoring model; returns its version."""
    return leadscoring.train().version


@task()
def measure_recommendations() -> float:
    """Measure the model on the newest orders; returns its hit rate at 5."""
    return services.evaluate().hit_rate
