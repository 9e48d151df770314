"""REST endpoints of the segments module."""

from ninja import Router

router = Router()
