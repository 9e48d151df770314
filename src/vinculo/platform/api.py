"""The REST API root (contract §2): authentication, error shapes and every app's router."""

from __future__ import annotations

import logging

from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from .access import PermissionDenied
from .crud import ParameterError
from .filters import FilterError
from .pagination import CursorError, OrderingError
from .records import StaleVersion

logger = logging.getLogger("django.request")


class Conflict(Exception):
    """The request conflicts with the record's state (HTTP 409)."""


class PreconditionRequired(Exception):
    pass


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from vinculo.identity.services import token_authenticate

        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class BrowserSession(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token.

    Without a signed-in session there is nothing to protect, so the request goes on to the
    401 of "no credentials" instead of failing the CSRF check with a 403.
    """

    def __call__(self, request: HttpRequest):
        if self.authenticate(request, None) is None:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class VinculoAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """`<resource>_<view>`: unique across resources that share generic views."""
        tag = (operation.tags or ["api"])[0].replace("-", "_")
        return f"{tag}_{operation.view_func.__name__}"

    def get_openapi_schema(self, *args, **kwargs):
        """Every secured operation documents the 401 it gives without credentials, and every
        operation with input the 422 it gives for bad input, whichever router declared it."""
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"description": "Error", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"detail": {}}, "required": ["detail"]}}}}
        for item in schema["paths"].values():
            for op in item.values():
                responses = op.setdefault("responses", {})
                if op.get("security"):
                    responses.setdefault(401, {**error,
                                               "description": "Authentication required"})
                if op.get("parameters") or op.get("requestBody"):
                    responses.setdefault(422, {**error, "description": "Invalid input"})
        return schema

    def validation_error_from_error_contexts(self, error_contexts):
        """Locations name the request part and the field (`["body", "email"]`), not the name
        of the view's parameter that receives the body."""
        error = super().validation_error_from_error_contexts(error_contexts)
        wrappers = {getattr(c.model, "__read_from_single_attr__", None) for c in error_contexts}
        for item in error.errors:
            loc = list(item.get("loc", ()))
            if len(loc) > 1 and loc[0] == "body" and loc[1] in wrappers:
                del loc[1]
            item["loc"] = tuple(loc)
        return error


api = VinculoAPI(
    title="Vínculo API",
    version="1",
    description="The REST API of Vínculo. Authenticate with `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), BrowserSession(csrf=True)],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _loc_part(part: str) -> str | int:
    return int(part) if part.isascii() and part.isdigit() else part


def validation_detail(exc: ValidationError, prefix: str = "body") -> list[dict]:
    """The 422 detail of a Django ValidationError: `{"email": [...]}` → `loc ["body", "email"]`,
    `{"lines.0.quantity": [...]}` → `["body", "lines", 0, "quantity"]`."""
    if hasattr(exc, "error_dict"):
        detail = []
        for field, errors in exc.message_dict.items():
            loc = [prefix] if field in ("__all__", None) else [
                prefix, *(_loc_part(p) for p in str(field).split("."))]
            for msg in errors:
                detail.append({"loc": loc, "msg": msg, "type": "value_error"})
        return detail
    return [{"loc": [prefix], "msg": m, "type": "value_error"} for m in exc.messages]


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": validation_detail(exc)}, status=422)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    detail = []
    for error in exc.errors:
        item = {"loc": list(error.get("loc", [])), "msg": str(error.get("msg", "Invalid value.")),
                "type": error.get("type", "value_error")}
        detail.append(item)
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(FilterError)
def on_filter_error(request, exc: FilterError):
    return api.create_response(
        request, {"detail": [{"loc": ["query", *exc.loc], "msg": exc.message,
                              "type": "filter_error"}]}, status=422)


@api.exception_handler(CursorError)
def on_cursor_error(request, exc: CursorError):
    return api.create_response(
        request, {"detail": [{"loc": ["query", "cursor"], "msg": str(exc),
                              "type": "value_error"}]}, status=422)


@api.exception_handler(OrderingError)
def on_ordering_error(request, exc: OrderingError):
    return api.create_response(
        request, {"detail": [{"loc": ["query", "ordering"], "msg": str(exc),
                              "type": "value_error"}]}, status=422)


@api.exception_handler(ParameterError)
def on_parameter_error(request, exc: ParameterError):
    return api.create_response(
        request, {"detail": [{"loc": exc.loc, "msg": exc.message, "type": "value_error"}]},
        status=422)


@api.exception_handler(StaleVersion)
def on_stale(request, exc: StaleVersion):
    return api.create_response(request, {"detail": str(exc), "version": exc.current}, status=412)


@api.exception_handler(PermissionDenied)
def on_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(Conflict)
def on_conflict(request, exc: Conflict):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(ObjectDoesNotExist)
def on_does_not_exist(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Authentication required."}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        return api.create_response(
            request, {"detail": [{"loc": ["body"], "msg": "Malformed JSON in the request body.",
                                  "type": "json_invalid"}]}, status=422)
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return api.create_response(request, {"detail": "The request body is too large."},
                               status=413)


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc):
    return api.create_response(request, {"detail": "Bad request."}, status=400)


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    """A bug, not bad input: logged with its traceback, answered in the API's error shape."""
    logger.exception("Internal error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "Internal server error."}, status=500)


def mount_routers() -> None:
    """Every app's `api.py` router, under the resource names of contract §4."""
    from vinculo.activities.api import router as activities
    from vinculo.customers.api import accounts, contacts
    from vinculo.identity.api import router as identity
    from vinculo.platform.platform_api import router as platform

    api.add_router("/accounts", accounts)
    api.add_router("/contacts", contacts)
    api.add_router("/activities", activities)
    api.add_router("", "vinculo.sales.api.router")
    api.add_router("", "vinculo.sales.leads.api.router")
    api.add_router("", "vinculo.sales.pipeline.api.router")
    api.add_router("", "vinculo.sales.assignment.api.router")
    api.add_router("", "vinculo.automation.api.router")
    api.add_router("", "vinculo.automation.webhooks.api.router")
    api.add_router("", "vinculo.automation.workflows.api.router")
    api.add_router("", "vinculo.marketing.segments.api.router")
    api.add_router("", "vinculo.marketing.lists.api.router")
    api.add_router("", "vinculo.marketing.campaigns.api.router")
    api.add_router("", "vinculo.marketing.emails.api.router")
    api.add_router("", "vinculo.service.api.router")
    api.add_router("", "vinculo.service.mail.api.router")
    api.add_router("", "vinculo.service.knowledge.api.router")
    api.add_router("", "vinculo.service.portal.api.router")
    api.add_router("", "vinculo.service.surveys.api.router")
    api.add_router("", "vinculo.channels.api.router")
    api.add_router("", "vinculo.channels.dav.api.router")
    api.add_router("", "vinculo.channels.inbox.api.router")
    api.add_router("", "vinculo.channels.loyalty.api.router")
    api.add_router("", "vinculo.channels.chat.api.router")
    api.add_router("", "vinculo.analytics.api.router")
    api.add_router("", "vinculo.analytics.recommendations.api.router")
    api.add_router("", "vinculo.analytics.reports.api.router")
    api.add_router("", identity)
    api.add_router("", platform)
    api.add_router("", "vinculo.platform.importexport.api.router")
