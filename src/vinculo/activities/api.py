"""REST endpoints of activities."""

from vinculo.platform.crud import resource_router

from .schemas import ActivityIn, ActivityOut, ActivityPatch

router = resource_router("activities", In=ActivityIn, Patch=ActivityPatch, Out=ActivityOut)
