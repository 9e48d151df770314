"""REST endpoints of the workflows module."""

from ninja import Router

router = Router()
