"""REST endpoints of the portal for staff: a contact's portal access."""

from ninja import Router, Schema

from vinculo.platform.crud import ERRORS, ErrorOut, StrictSchema

from . import selectors, services, staff

router = Router(tags=["portal"])


class PortalAccessOut(Schema):
    contact_id: int
    enabled: bool
    account_wide: bool


class PortalAccessIn(StrictSchema):
    enabled: bool | None = None
    account_wide: bool | None = None


def _out(row) -> dict:
    return {"contact_id": row.contact_id, "enabled": row.enabled,
            "account_wide": row.account_wide}


@router.get("/contacts/{int:contact_id}/portal-access",
            response={200: PortalAccessOut, 404: ErrorOut, **ERRORS},
            operation_id="contacts_portal_access_get",
            summary="Whether a contact may use the customer portal, and what they see")
def get_access(request, contact_id: int):
    return _out(selectors.access_of(staff.visible_contact(request.auth, contact_id)))


@router.put("/contacts/{int:contact_id}/portal-access",
            response={200: PortalAccessOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
            operation_id="contacts_portal_access_set",
            summary="Allow or refuse the portal; account-wide access to cases, orders, invoices")
def set_access(request, contact_id: int, payload: PortalAccessIn):
    contact = staff.visible_contact(request.auth, contact_id, "change")
    return _out(services.set_access(contact, enabled=payload.enabled,
                                    account_wide=payload.account_wide, actor=request.auth))
