"""Field-level history: who changed which field from what to what, and when."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from .models import AuditEntry


def log(entity: str, record_id: int, operation: str, actor: Any, changes: dict,
        source: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        entity=entity, record_id=record_id, operation=operation,
        actor_id=getattr(actor, "pk", None), changes=changes, source=source[:40],
    )


def log_many(entity: str, instances: Sequence[Any], operation: str, actor: Any,
             changes: Sequence[dict | None], source: str = "") -> None:
    actor_id = getattr(actor, "pk", None)
    AuditEntry.objects.bulk_create(
        [AuditEntry(entity=entity, record_id=obj.pk, operation=operation, actor_id=actor_id,
                    changes=diff or {}, source=source[:40])
         for obj, diff in zip(instances, changes, strict=True)],
        batch_size=1000,
    )


def history(entity: str, record_id: int) -> QuerySet[AuditEntry]:
    """Newest first; cursor-paginate by id."""
    return (AuditEntry.objects.filter(entity=entity, record_id=record_id)
            .select_related("actor").order_by("-id"))
