"""REST endpoints of leads."""

from ninja import Router

from vinculo.platform.crud import resource_router

from .schemas import LeadIn, LeadOut, LeadPatch

leads = resource_router("leads", In=LeadIn, Patch=LeadPatch, Out=LeadOut)

router = Router()
router.add_router("/leads", leads)
