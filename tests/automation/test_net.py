"""The request-forgery checks of outgoing HTTP: every address a host resolves to is checked,
in every notation, and the connection goes to an address that was checked."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from vinculo.automation.webhooks import net


def fake_resolver(monkeypatch, answers: dict[str, list[str]]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6,
                     "", (a, port)) for a in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def strict(settings):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = False


def test_every_resolved_address_is_checked(monkeypatch, strict):
    fake_resolver(monkeypatch, {"mixed.example": ["93.184.216.34", "10.1.2.3"],
                                "public.example": ["93.184.216.34", "2606:2800:220:1::1"]})
    with pytest.raises(ValidationError, match="10.1.2.3"):
        net.check_target("https://mixed.example/hook")
    net.check_target("https://public.example/hook")


@pytest.mark.parametrize("url", [
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/",
    "http://[fe80::1]/", "http://[fd00::1]/", "http://224.0.0.1/", "http://100.64.0.1/",
    "http://240.0.0.1/", "http://2130706433/", "http://0x7f000001/", "http://127.1/",
    "https://user:pw@93.184.216.34/", "gopher://93.184.216.34/", "http://93.184.216.34:99999/",
])
def test_private_and_odd_notations_are_refused(url, strict):
    with pytest.raises(ValidationError):
        net.check_target(url)


def test_loopback_is_allowed_only_by_the_setting(settings):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True
    net.check_target("http://127.0.0.1:8000/hook")
    net.check_target("http://localhost/hook")
    with pytest.raises(ValidationError):  # multicast stays refused
        net.check_target("http://224.0.0.1/")


def test_the_connection_goes_to_a_checked_address(monkeypatch, settings):
    """A second DNS answer (rebinding) cannot send the request elsewhere: the address
    checked is the address connected to."""
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                    for a in next(answers)]
        return real(host, port, *args, **kwargs)

    connected: list[tuple] = []
    real_connect = socket.create_connection

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(net.DeliveryError, match="Connection refused by 127.0.0.1"):
        net.post_json(f"http://rebind.example:{port}/", b"{}", {}, 2)
    assert connected == [("127.0.0.1", port)]
