"""Template filters of the workflow pages."""

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """Pretty JSON of a step's input or output (escaped by the template as usual)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
