"""Outgoing HTTP for webhooks (and workflows) with protection against request forgery.

``check_target(url)`` refuses anything that is not an ``http``/``https`` URL whose host
resolves only to public addresses.  Private, loopback, link-local, shared, reserved,
multicast and unspecified addresses are refused unless the setting
``VINCULO_ALLOW_PRIVATE_WEBHOOKS`` is on (then only multicast and unspecified addresses
stay refused).  Every address the host resolves to is checked.

``post_json(url, body, headers, timeout)`` checks the target the same way and then
connects to one of the addresses it checked (so a second DNS answer cannot point the
request elsewhere), never follows redirects, and returns ``(status, response_text)``.
Network failures raise :class:`DeliveryError` with a readable message.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "Vinculo-Webhooks/1.0"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DeliveryError(Exception):
    """The request could not be made or answered (host not found, connection refused,
    timeout, TLS...): worth trying again later."""


class UnresolvedHost(ValidationError):
    """The host name has no address (now): refused by `check_target`, retryable for
    `post_json` (which raises DeliveryError instead)."""


def private_allowed() -> bool:
    return bool(getattr(settings, "VINCULO_ALLOW_PRIVATE_WEBHOOKS", False))


def _address_refused(ip: IPAddress, allow_private: bool) -> str | None:
    """Why ``ip`` is refused, or None when it may be contacted."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast:
        return _("multicast address")
    if ip.is_unspecified:
        return _("unspecified address")
    if allow_private:
        return None
    if ip.is_loopback:
        return _("loopback address")
    if ip.is_link_local:
        return _("link-local address")
    if ip.is_private:
        return _("private address")
    if ip.is_reserved:
        return _("reserved address")
    if not ip.is_global:
        return _("non-public address")
    return None


def _split(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path-with-query) or ValidationError."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": [_("Enter a URL.")]})
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValidationError({"url": [_("Enter a valid URL.")]}) from None
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise ValidationError({"url": [_("Only http and https URLs are allowed.")]})
    host = parts.hostname
    if not host:
        raise ValidationError({"url": [_("The URL has no host.")]})
    if parts.username or parts.password:
        raise ValidationError({"url": [_("Credentials in the URL are not allowed.")]})
    if port is None:
        port = 443 if scheme == "https" else 80
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnresolvedHost(
            {"url": [_("The host %(host)s could not be resolved.") % {"host": host}]}
        ) from None
    seen: list[IPAddress] = []
    for info in infos:
        addr = info[4][0].split("%", 1)[0]
        ip = ipaddress.ip_address(addr)
        if ip not in seen:
            seen.append(ip)
    if not seen:
        raise UnresolvedHost(
            {"url": [_("The host %(host)s could not be resolved.") % {"host": host}]}
        )
    return seen


def _checked(url: str) -> tuple[str, str, int, str, list[IPAddress]]:
    scheme, host, port, path = _split(url)
    addresses = _resolve(host, port)
    allow = private_allowed()
    for ip in addresses:
        reason = _address_refused(ip, allow)
        if reason:
            raise ValidationError({"url": [
                _("The target %(host)s resolves to %(ip)s (%(reason)s), which is not allowed.")
                % {"host": host, "ip": ip, "reason": reason}
            ]})
    return scheme, host, port, path, addresses


def check_target(url: str) -> None:
    """Raise ValidationError({"url": [...]}) unless ``url`` may be called by the server."""
    _checked(url)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post_json(url: str, body: bytes, headers: dict, timeout: float = 10.0) -> tuple[int, str]:
    """POST ``body`` (JSON bytes) to ``url``; return (status code, response text excerpt).

    Raises ValidationError when the target is refused and DeliveryError when the
    request fails on the network (the message says what happened and where).
    """
    try:
        scheme, host, port, path, addresses = _checked(url)
    except UnresolvedHost as exc:
        raise DeliveryError(exc.message_dict["url"][0]) from exc
    send_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    send_headers.update(headers or {})
    send_headers["Content-Length"] = str(len(body))
    last_error: Exception | None = None
    for ip in addresses:
        cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        conn = cls(host, port, str(ip), timeout)
        try:
            conn.request("POST", path, body=body, headers=send_headers)
            response = conn.getresponse()
            raw = response.read(MAX_RESPONSE_BYTES)
            return response.status, raw.decode("utf-8", errors="replace")
        except ConnectionRefusedError as exc:
            last_error = exc
            message = _("Connection refused by %(ip)s port %(port)s.") % {"ip": ip, "port": port}
        except TimeoutError as exc:
            last_error = exc
            message = _("No answer from %(ip)s port %(port)s within %(timeout)s seconds.") % {
                "ip": ip, "port": port, "timeout": timeout}
        except ssl.SSLError as exc:
            last_error = exc
            message = _("TLS error with %(host)s: %(error)s") % {"host": host, "error": exc}
        except (OSError, ValueError, http.client.HTTPException) as exc:
            last_error = exc
            message = _("Network error with %(ip)s port %(port)s: %(error)s") % {
                "ip": ip, "port": port, "error": exc or exc.__class__.__name__}
        finally:
            conn.close()
    raise DeliveryError(message) from last_error
