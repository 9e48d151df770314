"""REST endpoints of the automation module."""

from ninja import Router

router = Router()
