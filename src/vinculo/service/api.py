"""REST endpoints of the service module."""

from ninja import Router

router = Router()
