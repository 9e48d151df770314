"""The default sales pipeline with its usual stages (names are data: rename them freely)."""

from django.db import migrations
from django.utils import timezone

STAGES = [
    ("Prospecting", 10, "open"),
    ("Qualification", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
]

LOST_REASONS = "Price\nCompetitor\nNo budget\nNo decision\nTiming\nOther"


def create_default(apps, schema_editor):
    Pipeline = apps.get_model("pipeline", "Pipeline")
    Stage = apps.get_model("pipeline", "Stage")
    if Pipeline.objects.exists():
        return
    now = timezone.now()
    pipeline = Pipeline.objects.create(name="Sales", is_default=True, order=0,
                                       lost_reasons=LOST_REASONS, created_at=now,
                                       updated_at=now)
    Stage.objects.bulk_create([
        Stage(pipeline=pipeline, name=name, order=(i + 1) * 10, probability=probability,
              kind=kind, created_at=now, updated_at=now)
        for i, (name, probability, kind) in enumerate(STAGES)
    ])


class Migration(migrations.Migration):

    dependencies = [("pipeline", "0002_lines_history_quotas")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
