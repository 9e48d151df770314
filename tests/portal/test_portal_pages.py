"""What a signed-in customer sees and does: their cases (open, read, reply), public articles,
orders and invoices — only their own, or their account's when staff allow it."""

from django.test import Client

from vinculo.activities.models import Activity
from vinculo.service.models import Case

from .conftest import portal_client


def staff_case(api, contact, **extra):
    r = api.post("cases", {"subject": "Broken screen", "contact_id": contact["id"],
                           "account_id": contact.get("account_id"), **extra})
    assert r.status_code == 201, r.content
    return r.json()


def test_open_a_case_and_reply(as_carmen, carmen, admin_api):
    r = as_carmen.post("/portal/cases/new/", {"subject": "Parcel never arrived",
                                              "description": "Ordered last week."})
    assert r.status_code == 302
    case = Case.objects.get(subject="Parcel never arrived")
    assert case.channel == "portal" and case.contact_id == carmen["id"]
    assert case.account_id == carmen["account_id"]
    assert r["Location"] == f"/portal/cases/{case.pk}/"
    # Staff answer by e-mail (public) and leave an internal note (not shown).
    r = admin_api.post("activities", {"kind": "email", "direction": "outbound",
                                      "case_id": case.pk, "subject": "Re",
                                      "body": "We are on it <b>now</b>."})
    assert r.status_code == 201, r.content
    admin_api.post("activities", {"kind": "note", "case_id": case.pk,
                                  "body": "Customer seems upset"})
    admin_api.patch(f"cases/{case.pk}", {"status": "pending"})
    page = as_carmen.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "We are on it &lt;b&gt;now&lt;/b&gt;." in page
    assert "Customer seems upset" not in page
    r = as_carmen.post(f"/portal/cases/{case.pk}/", {"body": "Any news?"})
    assert r.status_code == 302
    reply = Activity.objects.get(body="Any news?")
    assert reply.direction == "inbound" and reply.case_id == case.pk
    assert reply.contact_id == carmen["id"]
    case.refresh_from_db()
    assert case.status == "open"  # the pending case opened again
    timeline = admin_api.get(f"contacts/{carmen['id']}/timeline").json()["items"]
    assert any(item.get("body") == "Any news?" for item in timeline)


def test_bad_case_input_is_a_form_error(as_carmen):
    r = as_carmen.post("/portal/cases/new/", {"subject": "", "description": "x"})
    assert r.status_code == 200 and not Case.objects.exists()
    r = as_carmen.post("/portal/cases/new/", {"subject": "a" * 301, "description": "x"})
    assert r.status_code == 200 and not Case.objects.exists()


def test_another_customers_records_are_404(as_carmen, carmen, stranger, admin_api):
    theirs = staff_case(admin_api, stranger)
    order = admin_api.post("orders", {"contact_id": stranger["id"], "status": "confirmed",
                                      "lines": [{"description": "TV", "unit_price": "300"}]})
    assert order.status_code == 201, order.content
    invoice = admin_api.post("invoices", {"contact_id": stranger["id"], "status": "issued",
                                          "lines": [{"description": "TV",
                                                     "unit_price": "300"}]})
    assert invoice.status_code == 201, invoice.content
    for url in (f"/portal/cases/{theirs['id']}/", f"/portal/orders/{order.json()['id']}/",
                f"/portal/invoices/{invoice.json()['id']}/",
                f"/portal/invoices/{invoice.json()['id']}/pdf/", "/portal/cases/999999/"):
        assert as_carmen.get(url).status_code == 404, url
    r = as_carmen.post(f"/portal/cases/{theirs['id']}/", {"body": "hi"})
    assert r.status_code == 404 and not Activity.objects.filter(body="hi").exists()
    assert b"Broken screen" not in as_carmen.get("/portal/cases/").content


def test_orders_and_invoices_with_totals_and_pdf(as_carmen, carmen, admin_api):
    order = admin_api.post("orders", {"contact_id": carmen["id"], "status": "confirmed",
                                      "lines": [{"description": "Chair", "quantity": "2",
                                                 "unit_price": "40"}]}).json()
    invoice = admin_api.post("invoices", {"contact_id": carmen["id"], "status": "issued",
                                          "lines": [{"description": "Chair", "quantity": "2",
                                                     "unit_price": "40"}]}).json()
    draft = admin_api.post("invoices", {"contact_id": carmen["id"],
                                        "lines": [{"description": "Desk",
                                                   "unit_price": "99"}]}).json()
    page = as_carmen.get("/portal/orders/").content.decode()
    assert "80.00 EUR" in page
    assert "Chair" in as_carmen.get(f"/portal/orders/{order['id']}/").content.decode()
    page = as_carmen.get("/portal/invoices/").content.decode()
    assert invoice["number"] in page
    assert as_carmen.get(f"/portal/invoices/{draft['id']}/").status_code == 404
    r = as_carmen.get(f"/portal/invoices/{invoice['id']}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_account_wide_access_on_and_off(carmen, diego, admin_api, rep_api):
    colleague_case = staff_case(admin_api, diego, subject="Diego's printer")
    as_carmen = portal_client(carmen["id"])
    url = f"/portal/cases/{colleague_case['id']}/"
    assert as_carmen.get(url).status_code == 404
    # a sales rep who may not change Carmen cannot grant it
    r = rep_api._call("put", f"contacts/{carmen['id']}/portal-access", {"account_wide": True})
    assert r.status_code in (403, 404)
    r = admin_api._call("put", f"contacts/{carmen['id']}/portal-access", {"account_wide": True})
    assert r.status_code == 200 and r.json() == {"contact_id": carmen["id"], "enabled": True,
                                                 "account_wide": True}
    assert as_carmen.get(url).status_code == 200
    assert b"Diego&#x27;s printer" in as_carmen.get("/portal/cases/").content
    admin_api._call("put", f"contacts/{carmen['id']}/portal-access", {"account_wide": False})
    assert as_carmen.get(url).status_code == 404
    # turning the portal off ends the session's access
    admin_api._call("put", f"contacts/{carmen['id']}/portal-access", {"enabled": False})
    assert as_carmen.get("/portal/").status_code == 302


def test_staff_manage_access_on_the_contact_page(admin, carmen):
    client = Client()
    client.force_login(admin)
    page = client.get(f"/contacts/{carmen['id']}/").content.decode()
    assert "portal-access" in page
    r = client.post(f"/contacts/{carmen['id']}/portal-access/",
                    {"enabled": "on", "account_wide": "on"})
    assert r.status_code == 302
    from vinculo.service.portal.models import PortalAccess

    assert PortalAccess.objects.get(contact_id=carmen["id"]).account_wide is True


def test_public_published_articles_only(as_carmen, agent_api):
    def make(**body):
        r = agent_api.post("knowledge-articles", {"language": "es", **body})
        assert r.status_code == 201, r.content
        return r.json()

    public = make(title="Cómo devolver un pedido", body="Pide la **devolución**.",
                  status="published", public=True)
    internal = make(title="Devolución interna", status="published", public=False)
    draft = make(title="Devolución futura", public=True)
    assert as_carmen.get(f"/portal/articles/{public['id']}/").status_code == 200
    assert as_carmen.get(f"/portal/articles/{internal['id']}/").status_code == 404
    assert as_carmen.get(f"/portal/articles/{draft['id']}/").status_code == 404
    page = as_carmen.get("/portal/articles/", {"q": "devolucion", "language": ""}).content
    assert "Cómo devolver un pedido".encode() in page
    assert b"interna" not in page and b"futura" not in page
    # A new draft of the public article stays unseen until published.
    agent_api.patch(f"knowledge-articles/{public['id']}", {"body": "Texto secreto nuevo"})
    page = as_carmen.get(f"/portal/articles/{public['id']}/").content.decode()
    assert "<strong>devolución</strong>" in page and "secreto" not in page
    assert b"Texto secreto" not in as_carmen.get("/portal/articles/",
                                                   {"q": "secreto", "language": ""}).content
    # Spanish browsers get the Spanish page shell and, by default, Spanish articles.
    r = as_carmen.get("/portal/articles/", HTTP_ACCEPT_LANGUAGE="es")
    assert b'lang="es"' in r.content and "Cómo devolver".encode() in r.content


def test_portal_is_closed_without_signing_in(db, carmen):
    for url in ("/portal/", "/portal/cases/", "/portal/articles/", "/portal/orders/",
                "/portal/invoices/", "/portal/cases/new/"):
        r = Client().get(url)
        assert r.status_code == 302 and r["Location"] == "/portal/login/", url
