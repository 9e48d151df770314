"""REST endpoints of the channels module."""

from ninja import Router

router = Router()
