"""REST endpoints of the platform: custom fields, saved views, tags and global search."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from . import access, customfields, search
from .crud import ErrorOut, parse_if_match
from .models import CustomField, SavedView, Tag
from .records import StaleVersion
from .schemas import (
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    SearchOut,
    ViewIn,
    ViewOut,
    ViewPatch,
)
from .views_service import view_save, views_visible_to

router = Router(tags=["platform"])


@router.get("/custom-fields", response=list[CustomFieldOut])
def list_custom_fields(request, entity: str | None = None):
    qs = CustomField.objects.all()
    return qs.filter(entity=entity) if entity else qs


@router.post("/custom-fields", response={201: CustomFieldOut, 422: ErrorOut})
def create_custom_field(request, payload: CustomFieldIn):
    access.require_admin(request.auth)
    customfields.validate_definition(payload.entity, payload.key, payload.type, payload.choices)
    if CustomField.objects.filter(entity=payload.entity, key=payload.key).exists():
        raise ValidationError({"key": ["This key is already used for this entity."]})
    return Status(201, CustomField.objects.create(**payload.model_dump()))


@router.patch("/custom-fields/{int:field_id}", response={200: CustomFieldOut, 404: ErrorOut,
                                                         412: ErrorOut, 422: ErrorOut})
def update_custom_field(request, field_id: int, payload: CustomFieldPatch):
    access.require_admin(request.auth)
    definition = CustomField.objects.get(pk=field_id)
    expected = parse_if_match(request)
    if expected is not None and expected != definition.version:
        raise StaleVersion(definition.version)
    data = payload.model_dump(exclude_unset=True)
    if "choices" in data:
        customfields.validate_definition(definition.entity, definition.key, definition.type,
                                         data["choices"])
    for key, value in data.items():
        setattr(definition, key, value)
    definition.version += 1
    definition.updated_at = timezone.now()
    definition.save()
    return definition


@router.delete("/custom-fields/{int:field_id}", response={204: None, 404: ErrorOut})
def delete_custom_field(request, field_id: int):
    access.require_admin(request.auth)
    CustomField.objects.get(pk=field_id).delete()
    return HttpResponse(status=204)


@router.get("/views", response=list[ViewOut])
def list_views(request, entity: str | None = None):
    return views_visible_to(request.auth, entity)


@router.post("/views", response={201: ViewOut, 422: ErrorOut})
def create_view(request, payload: ViewIn):
    return Status(201, view_save(request.auth, payload.model_dump()))


def _own_view(request, view_id: int) -> SavedView:
    view = views_visible_to(request.auth).filter(pk=view_id).first()
    if view is None:
        raise Http404
    if view.owner_id != request.auth.pk and not access.is_admin(request.auth):
        raise access.PermissionDenied("Only the owner may change this view.")
    return view


@router.get("/views/{int:view_id}", response={200: ViewOut, 404: ErrorOut})
def get_view(request, view_id: int):
    view = views_visible_to(request.auth).filter(pk=view_id).first()
    if view is None:
        raise Http404
    return view


@router.patch("/views/{int:view_id}", response={200: ViewOut, 404: ErrorOut, 412: ErrorOut,
                                                 422: ErrorOut})
def update_view(request, view_id: int, payload: ViewPatch):
    view = _own_view(request, view_id)
    expected = parse_if_match(request)
    if expected is not None and expected != view.version:
        raise StaleVersion(view.version)
    view = view_save(request.auth, payload.model_dump(exclude_unset=True), view)
    return SavedView.objects.prefetch_related("shared_with").get(pk=view.pk)


@router.delete("/views/{int:view_id}", response={204: None, 404: ErrorOut})
def delete_view(request, view_id: int):
    _own_view(request, view_id).delete()
    return HttpResponse(status=204)


@router.get("/tags", response=list[str])
def list_tags(request, q: str = Query("", max_length=60)):
    qs = Tag.objects.all()
    if q:
        qs = qs.filter(name__istartswith=q)
    return list(qs.values_list("name", flat=True)[:200])


@router.get("/search", response=SearchOut)
def global_search(request, q: str = Query(..., min_length=1, max_length=300),
                  entity: str | None = Query(None, max_length=40),
                  limit: int = Query(20, ge=1, le=100)):
    hits = search.query(request.auth, q, entities=[entity] if entity else None, limit=limit)
    return {"items": [{"entity": h.entity, "id": h.record_id, "title": h.title,
                       "subtitle": h.subtitle, "url": f"/{h.entity}/{h.record_id}/"}
                      for h in hits]}
