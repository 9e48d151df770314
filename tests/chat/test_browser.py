"""The chat window on another website, in a real browser (system Chromium through Playwright):
the visitor opens it on a page served from a different origin, starts a chat in Spanish, and
sees the agent's answer arrive without reloading; with nobody available, the offline form."""

import http.server
import os
import threading

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import open_browser  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def website(asgi_server, widget, tmp_path):
    """A shop's page on its own origin, with the chat snippet."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0),
        lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(tmp_path)))
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Shop</title></head>"
        "<body><h1>Zapatos</h1>"
        f"<script src='{asgi_server}/chat/widget.js' data-vinculo-chat='{widget.key}' "
        "data-lang='es' async></script></body></html>")
    widget.allowed_origins = origin
    widget.save()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin
    server.shutdown()


def test_a_visitor_chats_with_an_agent_from_another_website(website, widget, available):
    from vinculo.channels.inbox import services as inbox
    from vinculo.channels.inbox.models import Conversation

    playwright, browser, page = open_browser(viewport={"width": 1280, "height": 800},
                                             locale="es-ES")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(website)
        page.click(".launcher")
        expect(page.locator(".head h2")).to_have_text("Habla con nosotros")
        page.fill("input[name=name]", "Lucía")
        page.fill("textarea[name=message]", "¿Tenéis el 38?")
        page.click("[data-chat-form=start] button[type=submit]")
        expect(page.locator(".msg.visitor")).to_contain_text("¿Tenéis el 38?")
        conversation = Conversation.objects.get(channel="chat")
        assert conversation.assignee_id == available.pk
        inbox.reply(conversation, "Sí, en negro y en marrón.", available)
        expect(page.locator(".msg.agent")).to_contain_text("Sí, en negro y en marrón.")
        page.fill(".compose textarea", "Perfecto <b>gracias</b>")
        page.keyboard.press("Enter")
        expect(page.locator(".msg.visitor").nth(1)).to_have_text("TúPerfecto <b>gracias</b>")
        page.screenshot(path="/tmp/chat-widget.png")
        page.click("text=Terminar chat")
        expect(page.locator(".note").last).to_have_text("Este chat ha terminado.")
    finally:
        browser.close()
        playwright.stop()
    assert errors == []


def test_the_offline_form_when_nobody_is_available(website, widget, agent):
    from vinculo.sales.leads.models import Lead

    playwright, browser, page = open_browser(viewport={"width": 1280, "height": 800})
    try:
        page.goto(website)
        page.click(".launcher")
        page.fill("input[name=name]", "Pedro Ruiz")
        page.fill("input[name=email]", "pedro@example.com")
        page.fill("textarea[name=message]", "Llamadme, por favor")
        page.click("[data-chat-form=offline] button[type=submit]")
        expect(page.locator(".note")).to_have_text("¡Gracias! Te responderemos pronto.")
    finally:
        browser.close()
        playwright.stop()
    assert Lead.objects.get(email="pedro@example.com").source == "chat"
