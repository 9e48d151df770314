"""Pages of quotes, orders, invoices, price lists and exchange rates: the lines editor, the
document actions and access."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import make_user


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create(entity: str, actor, **data):
    from vinculo.platform import records

    return records.create(entity, data, actor=actor, source="test")


@pytest.fixture
def rep_web(rep) -> Client:
    return browser_for(rep)


@pytest.fixture
def pen(admin):
    return create("products", admin, sku="PEN", name="Pen", unit_price="2.50", stock=10)


def problems(response) -> list[str]:
    import re

    text = re.sub(r'<svg.*?</svg>', '', response.content.decode(), flags=re.S)
    return re.findall(r'role="alert">(.*?)</(?:p|div)', text, re.S)


def lines_post(**fields) -> dict:
    base = {"status": "draft", "currency": "EUR", "line-product_id": [], "line-description": [],
            "line-quantity": [], "line-unit_price": [], "line-discount": [],
            "line-tax_rate": []}
    base.update(fields)
    return base


def test_new_quote_page_has_an_editable_lines_table(rep_web, pen):
    r = rep_web.get("/quotes/new/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "data-add-line" in html and 'name="line-product_id"' in html
    assert "sales/lines.js" in html and "Pen (PEN)" in html


def test_a_quote_is_created_with_its_lines_from_the_form(rep, rep_web, pen):
    from vinculo.sales.models import Quote

    r = rep_web.post("/quotes/new/", {
        "status": "draft", "currency": "EUR", "owner_id": rep.pk,
        "line-product_id": [str(pen.pk), "", ""],
        "line-description": ["", "Installation", ""],
        "line-quantity": ["2", "1", "1"],
        "line-unit_price": ["", "40,50", ""],
        "line-discount": ["0", "10", "0"],
        "line-tax_rate": ["21", "0", "0"],
    })
    assert r.status_code == 302, problems(r)
    quote = Quote.objects.get()
    assert [(ln.description, str(ln.unit_price)) for ln in quote.lines.order_by("id")] == [
        ("Pen", "2.50"), ("Installation", "40.50")]
    assert str(quote.total) == "42.50"  # 5 + 21 % tax (1.05) + 36.45
    page = rep_web.get(f"/quotes/{quote.pk}/").content.decode()
    assert "Installation" in page and "data-action=\"accept\"" in page

    r = rep_web.post(f"/quotes/{quote.pk}/edit/", {
        "status": "draft", "currency": "EUR", "owner_id": rep.pk, "version": quote.version,
        "issued_on": quote.issued_on.isoformat(),
        "line-product_id": [str(pen.pk)], "line-description": ["Pen"],
        "line-quantity": ["3"], "line-unit_price": ["2.50"], "line-discount": ["0"],
        "line-tax_rate": ["0"]})
    assert r.status_code == 302
    quote.refresh_from_db()
    assert quote.lines.count() == 1 and str(quote.total) == "7.50"


def test_bad_lines_are_shown_on_their_row(rep, rep_web, pen):
    from vinculo.sales.models import Quote

    r = rep_web.post("/quotes/new/", {
        "status": "draft", "currency": "EUR", "owner_id": rep.pk,
        "line-product_id": ["", str(pen.pk)], "line-description": ["Work", ""],
        "line-quantity": ["1", "-2"], "line-unit_price": ["10", ""],
        "line-discount": ["0", "0"], "line-tax_rate": ["0", "0"]})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Check the lines." in html and "more than zero" in html
    assert html.count("line-row has-error") == 1
    assert not Quote.objects.exists()


def test_flow_through_the_pages(rep, rep_web, pen):
    from vinculo.sales.models import Invoice, Order

    quote = create("quotes", rep, lines=[{"product_id": pen.pk, "quantity": 2}])
    r = rep_web.post(f"/quotes/{quote.pk}/accept/")
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    assert rep_web.post(f"/quotes/{quote.pk}/accept/").status_code == 302
    assert Order.objects.count() == 1
    r = rep_web.post(f"/orders/{order.pk}/invoice/")
    invoice = Invoice.objects.get()
    assert r["Location"] == f"/invoices/{invoice.pk}/"
    rep_web.post(f"/invoices/{invoice.pk}/issue/")
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.number.startswith("INV-")
    page = rep_web.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "data-locked" in page and 'data-action="credit-note"' in page
    pdf = rep_web.get(f"/invoices/{invoice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    rep_web.post(f"/invoices/{invoice.pk}/credit-note/")
    assert Invoice.objects.filter(kind="credit_note", credit_of=invoice).count() == 1


def test_send_page(rep, rep_web, pen, settings):
    from django.core import mail

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    contact = create("contacts", rep, first_name="Ana", email="ana@example.com")
    quote = create("quotes", rep, contact_id=contact.pk, lines=[{"product_id": pen.pk}])
    page = rep_web.get(f"/quotes/{quote.pk}/send/").content.decode()
    assert "ana@example.com" in page
    r = rep_web.post(f"/quotes/{quote.pk}/send/", {"to": "nope", "subject": "x", "message": ""})
    assert r.status_code == 200 and "not an e-mail address" in r.content.decode()
    r = rep_web.post(f"/quotes/{quote.pk}/send/", {"to": "ana@example.com", "subject": "Q",
                                                    "message": "Hi"})
    assert r.status_code == 302 and len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][2] == "application/pdf"


def test_other_reps_get_404_and_readers_403(rep, pen):
    quote = create("quotes", rep, lines=[{"product_id": pen.pk}])
    other = browser_for(make_user("olga", "sales"))
    for url in (f"/quotes/{quote.pk}/", f"/quotes/{quote.pk}/edit/", f"/quotes/{quote.pk}/pdf/",
                f"/quotes/{quote.pk}/send/"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/quotes/{quote.pk}/accept/").status_code == 404
    reader = browser_for(make_user("rudi", "readonly"))
    assert reader.get(f"/quotes/{quote.pk}/").status_code == 200
    assert reader.get(f"/quotes/{quote.pk}/edit/").status_code == 403
    assert reader.post(f"/quotes/{quote.pk}/accept/").status_code == 403
    assert reader.get("/quotes/new/").status_code == 403


def test_lists_and_price_list_pages(admin, rep_web, pen):
    admin_web = browser_for(admin)
    for url in ("/quotes/", "/orders/", "/invoices/", "/price-lists/", "/exchange-rates/",
                "/price-lists/new/", "/exchange-rates/new/"):
        assert admin_web.get(url).status_code == 200, url
    price_list = create("price-lists", admin, name="Retail", currency="EUR")
    r = admin_web.post(f"/price-lists/{price_list.pk}/prices/", {
        "entry-product_id": [str(pen.pk), ""], "entry-unit_price": ["2,20", ""]})
    assert r.status_code == 302
    assert str(price_list.entries.get().unit_price) == "2.20"
    assert "2.20" in admin_web.get(f"/price-lists/{price_list.pk}/").content.decode()
    r = admin_web.post(f"/price-lists/{price_list.pk}/prices/", {
        "entry-product_id": ["999999"], "entry-unit_price": ["1"]})
    assert r.status_code == 200 and "No such product" in r.content.decode()
    assert rep_web.get(f"/price-lists/{price_list.pk}/prices/").status_code == 403
