"""REST endpoints of accounts and contacts."""

from vinculo.platform.crud import resource_router

from .models import Account, Contact
from .schemas import AccountIn, AccountOut, AccountPatch, ContactIn, ContactOut, ContactPatch

accounts = resource_router(
    "accounts", In=AccountIn, Patch=AccountPatch, Out=AccountOut,
    queryset=lambda: Account.all_objects.prefetch_related("tags"),
)
contacts = resource_router(
    "contacts", In=ContactIn, Patch=ContactPatch, Out=ContactOut,
    queryset=lambda: Contact.all_objects.prefetch_related("tags"),
)
