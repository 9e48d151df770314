"""REST endpoints of the webhooks module (administrators only): subscriptions, their
delivery log, re-sending a delivery and rotating the signing secret."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from ninja import Query, Router, Status

from vinculo.platform import access
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    idempotent_create,
    page_schema,
    parse_if_match,
    response_json,
)
from vinculo.platform.records import StaleVersion

from . import services
from .models import Delivery, Webhook
from .schemas import (
    DeliveryOut,
    SecretOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)

router = Router(tags=["webhooks"])


class DeliveryParams(PageParams):
    status: str | None = None


@router.get("/webhooks", response={200: page_schema(WebhookOut), 422: ErrorOut, **ERRORS},
            summary="List webhooks (administrators)")
def list_webhooks(request, params: Query[PageParams]):
    access.require_admin(request.auth)
    return collection(Webhook.objects.all(), params, ["id"])


@router.post("/webhooks", response={201: WebhookCreatedOut, 422: ErrorOut, **ERRORS},
             summary="Subscribe a URL to record events (administrators); the secret is "
                     "returned only here")
def create_webhook(request, payload: WebhookIn):
    access.require_admin(request.auth)
    data = payload.model_dump(exclude_unset=True)
    return idempotent_create(request, lambda: services.create_webhook(data, request.auth),
                             response_json(WebhookCreatedOut))


@router.get("/webhooks/{int:webhook_id}", response={200: WebhookOut, 404: ErrorOut, **ERRORS},
            summary="Read a webhook (administrators)")
def get_webhook(request, webhook_id: int):
    access.require_admin(request.auth)
    return Webhook.objects.get(pk=webhook_id)


@router.patch("/webhooks/{int:webhook_id}",
              response={200: WebhookOut, 404: ErrorOut, 412: ErrorOut, 422: ErrorOut, **ERRORS},
              summary="Change a webhook (administrators); `active: true` resumes a paused one")
def patch_webhook(request, webhook_id: int, payload: WebhookPatch):
    access.require_admin(request.auth)
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook_id)
        expected = parse_if_match(request)
        if expected is not None and expected != webhook.version:
            raise StaleVersion(webhook.version)
        return services.update_webhook(webhook, payload.model_dump(exclude_unset=True))


@router.delete("/webhooks/{int:webhook_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Delete a webhook and its delivery log (administrators)")
def delete_webhook(request, webhook_id: int):
    access.require_admin(request.auth)
    Webhook.objects.get(pk=webhook_id).delete()
    return HttpResponse(status=204)


@router.post("/webhooks/{int:webhook_id}/rotate-secret",
             response={200: SecretOut, 404: ErrorOut, **ERRORS},
             summary="Replace the signing secret (administrators); the new one is shown once")
def rotate_secret(request, webhook_id: int):
    access.require_admin(request.auth)
    webhook = services.rotate_secret(Webhook.objects.get(pk=webhook_id))
    return {"id": webhook.pk, "secret": webhook.secret}


@router.get("/webhooks/{int:webhook_id}/deliveries",
            response={200: page_schema(DeliveryOut), 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="The webhook's deliveries, newest first, each with its attempts")
def list_deliveries(request, webhook_id: int, params: Query[DeliveryParams]):
    access.require_admin(request.auth)
    webhook = Webhook.objects.get(pk=webhook_id)
    qs = Delivery.objects.filter(webhook=webhook).prefetch_related("attempt_log")
    if params.status:
        qs = qs.filter(status=params.status)
    return collection(qs, params, ["-id"])


@router.get("/webhooks/{int:webhook_id}/deliveries/{int:delivery_id}",
            response={200: DeliveryOut, 404: ErrorOut, **ERRORS},
            summary="One delivery with its attempts")
def get_delivery(request, webhook_id: int, delivery_id: int):
    access.require_admin(request.auth)
    return Delivery.objects.get(pk=delivery_id, webhook_id=webhook_id)


@router.post("/webhooks/{int:webhook_id}/deliveries/{int:delivery_id}/resend",
             response={202: DeliveryOut, 404: ErrorOut, **ERRORS},
             summary="Send a delivery's body again as a new delivery (even if paused)")
def resend_delivery(request, webhook_id: int, delivery_id: int):
    access.require_admin(request.auth)
    original = Delivery.objects.get(pk=delivery_id, webhook_id=webhook_id)
    return Status(202, services.resend(original))


@router.post("/webhooks/{int:webhook_id}/ping", response={202: DeliveryOut, 404: ErrorOut,
                                                          **ERRORS},
             summary="Send a test event (`ping`) to the webhook now, even if paused")
def ping_webhook(request, webhook_id: int):
    access.require_admin(request.auth)
    return Status(202, services.ping(Webhook.objects.get(pk=webhook_id)))
