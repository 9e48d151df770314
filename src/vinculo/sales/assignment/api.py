"""REST endpoints of the assignment module."""

from ninja import Router

router = Router()
