"""REST endpoints of the campaigns module."""

from ninja import Router

router = Router()
