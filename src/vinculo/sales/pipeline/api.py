"""REST endpoints of the pipeline module."""

from ninja import Router

router = Router()
