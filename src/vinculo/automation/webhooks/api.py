"""REST endpoints of the webhooks module."""

from ninja import Router

router = Router()
