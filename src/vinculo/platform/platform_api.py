"""REST endpoints of the platform: custom fields, saved views, tags and global search."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from . import access, customfields, search
from .crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    idempotent_create,
    page_schema,
    parse_if_match,
    response_json,
)
from .models import CustomField, SavedView, Tag
from .records import StaleVersion
from .schemas import (
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    SearchOut,
    TagOut,
    ViewIn,
    ViewOut,
    ViewPatch,
)
from .views_service import view_save, views_visible_to

router = Router(tags=["platform"])


class CustomFieldParams(PageParams):
    entity: str | None = Field(None, max_length=40, description="Only this entity's fields.")


@router.get("/custom-fields", response={200: page_schema(CustomFieldOut), 422: ErrorOut,
                                        **ERRORS},
            summary="List custom-field definitions")
def list_custom_fields(request, params: Query[CustomFieldParams]):
    qs = CustomField.objects.all()
    if params.entity:
        qs = qs.filter(entity=params.entity)
    return collection(qs, params, ["id"])


@router.get("/custom-fields/{int:field_id}", response={200: CustomFieldOut, 404: ErrorOut,
                                                       **ERRORS},
            summary="Read a custom-field definition")
def get_custom_field(request, field_id: int):
    return CustomField.objects.get(pk=field_id)


@router.post("/custom-fields", response={201: CustomFieldOut, 422: ErrorOut, **ERRORS},
             summary="Define a custom field (administrators)")
def create_custom_field(request, payload: CustomFieldIn):
    access.require_admin(request.auth)
    customfields.validate_definition(payload.entity, payload.key, payload.type, payload.choices)
    duplicate = ValidationError({"key": [_("This key is already used for this entity.")]})

    def create() -> CustomField:
        if CustomField.objects.filter(entity=payload.entity, key=payload.key).exists():
            raise duplicate
        try:
            with transaction.atomic():
                return CustomField.objects.create(**payload.model_dump())
        except IntegrityError:
            raise duplicate from None

    return idempotent_create(request, create, response_json(CustomFieldOut))


@router.patch("/custom-fields/{int:field_id}", response={200: CustomFieldOut, 404: ErrorOut,
                                                         412: ErrorOut, 422: ErrorOut,
                                                         **ERRORS},
              summary="Change a custom-field definition (administrators)",
              description="The entity, key and type are fixed once defined.")
def update_custom_field(request, field_id: int, payload: CustomFieldPatch):
    access.require_admin(request.auth)
    expected = parse_if_match(request)
    with transaction.atomic():
        definition = CustomField.objects.select_for_update().get(pk=field_id)
        if expected is not None and expected != definition.version:
            raise StaleVersion(definition.version)
        data = payload.model_dump(exclude_unset=True)
        for key in ("label", "required", "order"):
            if key in data and data[key] is None:
                raise ValidationError({key: [_("This field cannot be null.")]})
        if "choices" in data:
            data["choices"] = data["choices"] or []
            customfields.validate_definition(definition.entity, definition.key, definition.type,
                                             data["choices"])
        if "label_es" in data:
            data["label_es"] = data["label_es"] or ""
        for key, value in data.items():
            setattr(definition, key, value)
        definition.version += 1
        definition.updated_at = timezone.now()
        definition.save()
    return definition


@router.delete("/custom-fields/{int:field_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Delete a custom-field definition (administrators)")
def delete_custom_field(request, field_id: int):
    access.require_admin(request.auth)
    CustomField.objects.get(pk=field_id).delete()
    return HttpResponse(status=204)


class ViewParams(PageParams):
    entity: str | None = Field(None, max_length=40, description="Only views of this entity.")


@router.get("/views", response={200: page_schema(ViewOut), 422: ErrorOut, **ERRORS},
            summary="List the saved views you may use")
def list_views(request, params: Query[ViewParams]):
    return collection(views_visible_to(request.auth, params.entity), params, ["id"])


@router.post("/views", response={201: ViewOut, 422: ErrorOut, **ERRORS},
             summary="Save a view")
def create_view(request, payload: ViewIn):
    def create() -> SavedView:
        view = view_save(request.auth, payload.model_dump())
        return SavedView.objects.prefetch_related("shared_with").get(pk=view.pk)

    return idempotent_create(request, create, response_json(ViewOut))


def _own_view(request, view_id: int) -> SavedView:
    view = views_visible_to(request.auth).filter(pk=view_id).first()
    if view is None:
        raise Http404
    if view.owner_id != request.auth.pk and not access.is_admin(request.auth):
        raise access.PermissionDenied(_("Only the owner may change this view."))
    return view


@router.get("/views/{int:view_id}", response={200: ViewOut, 404: ErrorOut, **ERRORS},
            summary="Read a saved view")
def get_view(request, view_id: int):
    view = views_visible_to(request.auth).filter(pk=view_id).first()
    if view is None:
        raise Http404
    return view


@router.patch("/views/{int:view_id}", response={200: ViewOut, 404: ErrorOut, 412: ErrorOut,
                                                 422: ErrorOut, **ERRORS},
              summary="Change a saved view (its owner)")
def update_view(request, view_id: int, payload: ViewPatch):
    expected = parse_if_match(request)
    view = _own_view(request, view_id)
    if expected is not None and expected != view.version:
        raise StaleVersion(view.version)
    view = view_save(request.auth, payload.model_dump(exclude_unset=True), view)
    return SavedView.objects.prefetch_related("shared_with").get(pk=view.pk)


@router.delete("/views/{int:view_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Delete a saved view (its owner)")
def delete_view(request, view_id: int):
    _own_view(request, view_id).delete()
    return HttpResponse(status=204)


class TagParams(PageParams):
    q: str = Field("", max_length=60, description="Tags starting with this text.")


@router.get("/tags", response={200: page_schema(TagOut), 422: ErrorOut, **ERRORS},
            summary="List tags")
def list_tags(request, params: Query[TagParams]):
    qs = Tag.objects.all()
    if params.q:
        qs = qs.filter(name__istartswith=params.q)
    return collection(qs, params, ["name", "id"])


@router.get("/search", response={200: SearchOut, 422: ErrorOut, **ERRORS},
            summary="Search every kind of record you may see")
def global_search(request, q: str = Query(..., min_length=1, max_length=300),
                  entity: str | None = Query(None, max_length=40),
                  limit: int = Query(20, ge=1, le=100)):
    hits = search.query(request.auth, q, entities=[entity] if entity else None, limit=limit)
    return {"items": [{"entity": h.entity, "id": h.record_id, "title": h.title,
                       "subtitle": h.subtitle, "url": f"/{h.entity}/{h.record_id}/"}
                      for h in hits]}
