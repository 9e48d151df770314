"""REST endpoints of the emails module."""

from ninja import Router

router = Router()
