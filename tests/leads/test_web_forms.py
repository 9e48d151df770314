"""Web-to-lead forms: designed by administrators, served at /f/<key>/ without sign-in."""

import pytest
from django.test import Client

from vinculo.sales.leads.models import Lead, LeadEvent, WebForm

pytestmark = pytest.mark.django_db

FIELDS = [{"name": "first_name", "label_en": "First name", "label_es": "Nombre"},
          {"name": "last_name", "label_en": "Last name", "label_es": "Apellidos",
           "required": True},
          {"name": "email", "label_en": "Work email", "label_es": "Correo de trabajo",
           "required": True},
          {"name": "company"}]


@pytest.fixture
def web_form(admin_api, rep):
    r = admin_api.post("web-forms", {
        "name": "Demo request", "fields": FIELDS, "title_en": "Ask for a demo",
        "title_es": "Pide una demo", "thank_you_en": "Thanks, we will call you.",
        "thank_you_es": "Gracias, te llamaremos.", "owner_id": rep.pk,
        "consent_text_en": "I agree to receive emails.",
        "consent_text_es": "Acepto recibir correos."})
    assert r.status_code == 201, r.content
    return r.json()


def post(client, form, data, ip="10.0.0.1", **headers):
    return client.post(f"/f/{form['key']}/", data, REMOTE_ADDR=ip, headers=headers)


def test_the_admin_api_gives_the_page_and_a_snippet(web_form, admin_api, settings):
    assert web_form["url"].endswith(f"/f/{web_form['key']}/")
    snippet = web_form["snippet"]
    assert snippet.startswith("<form") and 'name="email"' in snippet
    assert 'name="hp_website"' in snippet and 'name="consent"' in snippet
    assert admin_api.get(f"web-forms/{web_form['id']}").json()["name"] == "Demo request"
    r = admin_api.patch(f"web-forms/{web_form['id']}", {"active": False},
                        headers={"If-Match": "1"})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert admin_api.patch(f"web-forms/{web_form['id']}", {"active": True},
                           headers={"If-Match": "1"}).status_code == 412


def test_only_admins_manage_web_forms(rep_api, web_form):
    assert rep_api.get("web-forms").status_code == 403
    assert rep_api.post("web-forms", {"name": "x", "fields": FIELDS}).status_code == 403
    assert rep_api.patch(f"web-forms/{web_form['id']}", {"name": "y"}).status_code == 403


@pytest.mark.parametrize("fields, loc", [
    ([{"name": "password"}], "fields.0.name"),
    ([{"name": "custom.nope"}], "fields.0.name"),
    ([{"name": "email"}, {"name": "email"}], "fields.1.name"),
    ([{"name": "city"}], "fields"),
])
def test_bad_form_designs_are_422(admin_api, fields, loc):
    r = admin_api.post("web-forms", {"name": "Bad", "fields": fields})
    assert r.status_code == 422, r.content
    assert [".".join(map(str, e["loc"][1:])) for e in r.json()["detail"]] == [loc]


def test_a_submission_creates_a_lead_with_consent(web_form, rep):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/f/{web_form['key']}/")
    assert page.status_code == 200
    assert b"Ask for a demo" in page.content and b"Work email" in page.content
    r = post(client, web_form, {"first_name": "Ana", "last_name": "Ruiz",
                                "email": "Ana@Acme.es", "company": "Acme", "consent": "1",
                                "source": "phone", "owner_id": "1"})
    assert r.status_code == 200, r.content
    assert b"Thanks, we will call you." in r.content
    lead = Lead.objects.get()
    assert (lead.email, lead.source, lead.owner_id) == ("ana@acme.es", "web", rep.pk)
    assert lead.consent_text == "I agree to receive emails." and lead.consent_at is not None
    assert lead.email_opt_in is True
    event = LeadEvent.objects.get()
    assert (event.lead_id, event.kind) == (lead.pk, "form_submission")
    assert WebForm.objects.get().submissions == 1


def test_without_consent_nothing_is_stored_about_it(web_form):
    post(Client(), web_form, {"last_name": "Ruiz", "email": "a@b.es"})
    lead = Lead.objects.get()
    assert lead.consent_text == "" and lead.consent_at is None and not lead.email_opt_in


def test_spanish_visitors_get_the_form_in_spanish(web_form):
    client = Client()
    page = client.get(f"/f/{web_form['key']}/", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert b"Pide una demo" in page.content and b"Correo de trabajo" in page.content
    assert b"Acepto recibir correos." in page.content
    r = post(client, web_form, {"last_name": "Gil", "email": "g@x.es", "consent": "on",
                                "lang": "es"})
    assert b"Gracias, te llamaremos." in r.content
    assert Lead.objects.get().consent_text == "Acepto recibir correos."
    english = client.get(f"/f/{web_form['key']}/?lang=en")
    assert b"Ask for a demo" in english.content


def test_missing_and_invalid_values_show_the_form_again(web_form):
    r = post(Client(), web_form, {"first_name": "Ana", "email": "not-an-email"})
    assert r.status_code == 422
    assert b"This field is required." in r.content
    assert not Lead.objects.exists()
    r = post(Client(), web_form, {"last_name": "Ruiz", "email": "not-an-email"})
    assert r.status_code == 422 and b"valid email" in r.content
    assert not Lead.objects.exists()


def test_the_honeypot_keeps_bots_out(web_form):
    r = post(Client(), web_form, {"last_name": "Bot", "email": "bot@spam.example",
                                  "hp_website": "http://spam.example"})
    assert r.status_code == 200 and b"Thanks" in r.content
    assert not Lead.objects.exists()


def test_per_ip_rate_limit(web_form, settings):
    settings.VINCULO_WEB_FORM_RATE = (3, 3600)
    client = Client()
    for i in range(3):
        assert post(client, web_form, {"last_name": f"L{i}", "email": f"l{i}@x.es"}).status_code \
            == 200
    r = post(client, web_form, {"last_name": "L4", "email": "l4@x.es"})
    assert r.status_code == 429
    assert Lead.objects.count() == 3
    other_ip = post(client, web_form, {"last_name": "L5", "email": "l5@x.es"}, ip="10.0.0.2")
    assert other_ip.status_code == 200


def test_an_oversized_body_is_refused(web_form):
    r = post(Client(), web_form, {"last_name": "Big", "email": "b@x.es",
                                  "company": "x" * 40_000})
    assert r.status_code == 413
    assert not Lead.objects.exists()


def test_inactive_and_unknown_forms_are_404(web_form, admin_api):
    admin_api.patch(f"web-forms/{web_form['id']}", {"active": False})
    assert Client().get(f"/f/{web_form['key']}/").status_code == 404
    assert Client().post(f"/f/{web_form['key']}/", {"last_name": "X"}).status_code == 404
    assert Client().get("/f/nope/").status_code == 404


def test_redirect_after_submitting(web_form, admin_api):
    admin_api.patch(f"web-forms/{web_form['id']}", {"redirect_url": "https://example.com/ok"})
    r = post(Client(), web_form, {"last_name": "R", "email": "r@x.es"})
    assert r.status_code == 303 and r["Location"] == "https://example.com/ok"


def test_required_consent(web_form, admin_api):
    admin_api.patch(f"web-forms/{web_form['id']}", {"consent_required": True})
    r = post(Client(), web_form, {"last_name": "R", "email": "r@x.es"})
    assert r.status_code == 422 and not Lead.objects.exists()


def test_settings_pages(web_form, client, admin, rep):
    client.force_login(admin)
    listing = client.get("/settings/web-forms/")
    assert listing.status_code == 200 and b"Demo request" in listing.content
    detail = client.get(f"/settings/web-forms/{web_form['id']}/")
    assert detail.status_code == 200 and b"hp_website" in detail.content
    r = client.post("/settings/web-forms/new/", {
        "name": "Newsletter", "field-0-name": "email", "field-0-required": "1",
        "field-0-label_es": "Correo", "source": "web", "active": "1"})
    assert r.status_code == 302
    form = WebForm.objects.get(name="Newsletter")
    assert form.fields == [{"name": "email", "required": True, "label_en": "",
                            "label_es": "Correo"}]
    client.force_login(rep)
    assert client.get("/settings/web-forms/").status_code == 403


def test_the_submission_is_on_the_leads_timeline(web_form, client, rep):
    post(Client(), web_form, {"last_name": "Ruiz", "email": "r@x.es"})
    lead = Lead.objects.get()
    client.force_login(rep)
    page = client.get(f"/leads/{lead.pk}/?tab=timeline")
    assert b"Web form submitted: Demo request" in page.content


def test_assignment_rules_or_the_forms_owner(web_form, admin_api, rep):
    admin_api.patch(f"web-forms/{web_form['id']}", {"use_assignment_rules": True})
    post(Client(), web_form, {"last_name": "Ruiz", "email": "r@x.es"})
    # Whatever the assignment rules decide; without a rule that matches, the form's owner.
    assert Lead.objects.get().owner_id is not None


def test_the_timeline_api_shows_the_submission(web_form, rep_api, other_api):
    post(Client(), web_form, {"last_name": "Ruiz", "email": "r@x.es"})
    lead = Lead.objects.get()
    r = rep_api.get(f"leads/{lead.pk}/timeline")
    assert r.status_code == 200
    sources = {(i["source"], i["kind"]) for i in r.json()["items"]}
    assert ("lead_event", "form") in sources and ("change", "change") in sources
    assert other_api.get(f"leads/{lead.pk}/timeline").status_code == 404
    assert rep_api.get(f"leads/{lead.pk}/timeline", cursor="garbage").status_code == 422


def test_a_form_asks_for_the_custom_fields_leads_require(admin_api):
    from vinculo.platform.models import CustomField

    CustomField.objects.create(entity="leads", key="budget", label="Budget", type="number",
                               required=True)
    r = admin_api.post("web-forms", {"name": "No budget", "fields": [{"name": "email"}]})
    assert r.status_code == 422 and "custom.budget" in r.json()["detail"][0]["msg"]
    r = admin_api.post("web-forms", {"name": "Budget", "fields": [
        {"name": "email", "required": True}, {"name": "custom.budget", "required": True,
                                              "label_es": "Presupuesto"}]})
    assert r.status_code == 201, r.content
    form = r.json()
    page = Client().get(f"/f/{form['key']}/", headers={"Accept-Language": "es"})
    assert b"Presupuesto" in page.content
    bad = post(Client(), form, {"email": "a@b.es", "custom.budget": "lots"})
    assert bad.status_code == 422 and not Lead.objects.exists()
    good = post(Client(), form, {"email": "a@b.es", "custom.budget": "1500"}, ip="10.0.0.9")
    assert good.status_code == 200
    assert Lead.objects.get().custom == {"budget": 1500}


def test_rate_limit_from_the_environment(web_form, monkeypatch):
    monkeypatch.setenv("VINCULO_WEB_FORM_RATE", "2/60")
    client = Client()
    codes = [post(client, web_form, {"last_name": f"E{i}", "email": f"e{i}@x.es"},
                  ip="10.1.1.1").status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_deleting_a_web_form_in_settings(web_form, client, admin):
    client.force_login(admin)
    r = client.post(f"/settings/web-forms/{web_form['id']}/", {"action": "delete"})
    assert r.status_code == 302 and not WebForm.objects.exists()
    assert Client().get(f"/f/{web_form['key']}/").status_code == 404
