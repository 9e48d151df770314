"""REST endpoints of the leads module."""

from ninja import Router

router = Router()
