"""REST endpoints of the lists module."""

from ninja import Router

router = Router()
