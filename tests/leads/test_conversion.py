"""Converting a lead: contact, account and opportunity, matching what exists, once only."""

import pytest

from vinculo.activities.models import Activity
from vinculo.customers.models import Account, Contact
from vinculo.platform import records
from vinculo.platform.models import CustomField
from vinculo.sales.leads.models import Lead
from vinculo.sales.pipeline.models import Opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(rep):
    return records.create("leads", {
        "first_name": "Ana", "last_name": "Ruiz", "company": "Acme, S.L.", "title": "CTO",
        "email": "ana@acme.es", "phone": "+34 612 345 678", "website": "https://www.acme.es",
        "industry": "Software", "city": "Madrid", "country": "ES", "email_opt_in": True},
        actor=rep)


def test_convert_creates_contact_account_and_opportunity(rep_api, lead, pipeline):
    records.create("activities", {"kind": "call", "subject": "Intro call", "lead_id": lead.pk},
                   actor=lead.owner)
    r = rep_api.post(f"leads/{lead.pk}/convert", {"opportunity": {
        "name": "Acme platform", "amount": "12000.50", "expected_close_date": "2030-03-01"}})
    assert r.status_code == 200, r.content
    ids = r.json()
    contact = Contact.objects.get(pk=ids["contact_id"])
    account = Account.objects.get(pk=ids["account_id"])
    opportunity = Opportunity.objects.get(pk=ids["opportunity_id"])
    assert (contact.first_name, contact.email, contact.account_id, contact.phone_e164) == (
        "Ana", "ana@acme.es", account.pk, "+34612345678")
    assert contact.email_opt_in and contact.email_opt_in_at is not None
    assert (account.name, account.domain, account.city, account.owner_id) == (
        "Acme, S.L.", "acme.es", "Madrid", lead.owner_id)
    assert (opportunity.name, str(opportunity.amount), opportunity.pipeline_id,
            opportunity.stage_id, opportunity.account_id, opportunity.contact_id) == (
        "Acme platform", "12000.50", pipeline.pk, pipeline.stage_list[0].pk, account.pk,
        contact.pk)
    lead.refresh_from_db()
    assert lead.status == "converted" and lead.converted_at is not None
    assert (lead.converted_contact_id, lead.converted_account_id,
            lead.converted_opportunity_id) == (contact.pk, account.pk, opportunity.pk)
    activity = Activity.objects.get()
    assert (activity.lead_id, activity.contact_id, activity.account_id) == (
        lead.pk, contact.pk, account.pk)
    out = rep_api.get(f"leads/{lead.pk}").json()
    assert out["converted_contact_id"] == contact.pk
    history = rep_api.get(f"leads/{lead.pk}/history").json()["items"][0]
    assert history["changes"]["status"] == ["new", "converted"]
    assert history["changes"]["converted_contact_id"] == [None, contact.pk]


def test_converting_twice_is_a_409(rep_api, lead):
    assert rep_api.post(f"leads/{lead.pk}/convert", {}).status_code == 200
    r = rep_api.post(f"leads/{lead.pk}/convert", {})
    assert r.status_code == 409 and r.json()["detail"]
    assert Contact.objects.count() == 1 and Account.objects.count() == 1
    r = rep_api.patch(f"leads/{lead.pk}", {"status": "working"})
    assert r.status_code == 422


def test_existing_contact_and_account_are_matched(rep_api, rep, lead):
    account = records.create("accounts", {"name": "ACME SL", "domain": "other.example"},
                             actor=rep)
    contact = records.create("contacts", {"first_name": "Ana", "email": "ANA@acme.es"},
                             actor=rep)
    candidates = rep_api.get(f"leads/{lead.pk}/conversion-candidates").json()
    assert candidates["account_id"] == account.pk and candidates["contact_id"] == contact.pk
    ids = rep_api.post(f"leads/{lead.pk}/convert").json()
    assert (ids["account_id"], ids["contact_id"], ids["opportunity_id"]) == (
        account.pk, contact.pk, None)
    assert Contact.objects.count() == 1 and Account.objects.count() == 1
    contact.refresh_from_db()
    assert contact.account_id == account.pk  # it had none: now it has the chosen one


def test_the_user_may_choose_or_force_new_records(rep_api, rep, lead):
    records.create("accounts", {"name": "Acme"}, actor=rep)
    records.create("contacts", {"first_name": "Ana", "email": "ana@acme.es"}, actor=rep)
    chosen = records.create("accounts", {"name": "Acme Holding"}, actor=rep)
    ids = rep_api.post(f"leads/{lead.pk}/convert", {"account_id": chosen.pk,
                                                     "create_contact": True}).json()
    assert ids["account_id"] == chosen.pk
    assert Contact.objects.count() == 2
    assert Contact.objects.get(pk=ids["contact_id"]).account_id == chosen.pk


def test_without_account_or_contact(rep_api, lead):
    ids = rep_api.post(f"leads/{lead.pk}/convert", {"create_account": False,
                                                     "create_contact": False}).json()
    assert ids == {"contact_id": None, "account_id": None, "opportunity_id": None,
                   "warnings": []}
    assert Lead.objects.get(pk=lead.pk).status == "converted"


def test_records_the_user_may_not_see_cannot_be_chosen(rep_api, other_rep, lead):
    theirs = records.create("accounts", {"name": "Secret"}, actor=other_rep)
    their_contact = records.create("contacts", {"last_name": "Hidden"}, actor=other_rep)
    for body, field in [({"account_id": theirs.pk}, "account_id"),
                        ({"contact_id": their_contact.pk}, "contact_id"),
                        ({"account_id": 10**12}, "account_id")]:
        r = rep_api.post(f"leads/{lead.pk}/convert", body)
        assert r.status_code == 422, r.content
        assert r.json()["detail"][0]["loc"][1] == field
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert not Contact.objects.filter(email="ana@acme.es").exists()


def test_matching_ignores_records_out_of_sight(rep_api, other_rep, lead):
    records.create("contacts", {"first_name": "Ana", "email": "ana@acme.es"}, actor=other_rep)
    records.create("accounts", {"name": "Acme"}, actor=other_rep)
    ids = rep_api.post(f"leads/{lead.pk}/convert").json()
    assert Contact.objects.get(pk=ids["contact_id"]).owner_id == lead.owner_id
    assert Account.objects.get(pk=ids["account_id"]).owner_id == lead.owner_id


def test_a_user_who_may_only_read_cannot_convert(lead, db):
    from tests.conftest import api_for, make_user

    reader = api_for(make_user("rosa", "readonly"))
    assert reader.post(f"leads/{lead.pk}/convert").status_code == 403


def test_custom_fields_are_carried_by_key(rep_api, rep, pipeline):
    CustomField.objects.create(entity="leads", key="budget", label="Budget", type="number")
    CustomField.objects.create(entity="leads", key="interest", label="Interest")
    CustomField.objects.create(entity="leads", key="lead_only", label="Lead only")
    CustomField.objects.create(entity="contacts", key="interest", label="Interest")
    CustomField.objects.create(entity="accounts", key="budget", label="Budget", type="number")
    CustomField.objects.create(entity="opportunities", key="budget", label="Budget",
                               type="number")
    lead = records.create("leads", {"last_name": "Gil", "company": "Gil SA", "custom": {
        "budget": 5000, "interest": "CRM", "lead_only": "x"}}, actor=rep)
    ids = rep_api.post(f"leads/{lead.pk}/convert", {"opportunity": {}}).json()
    assert Contact.objects.get(pk=ids["contact_id"]).custom == {"interest": "CRM"}
    assert Account.objects.get(pk=ids["account_id"]).custom == {"budget": 5000}
    assert Opportunity.objects.get(pk=ids["opportunity_id"]).custom == {"budget": 5000}


def test_without_a_pipeline_the_opportunity_is_skipped_and_said(rep_api, lead, admin):
    from vinculo.sales.pipeline.models import Pipeline

    for pipe in Pipeline.objects.all():
        records.update(pipe, {"active": False, "is_default": False}, actor=admin)
    r = rep_api.post(f"leads/{lead.pk}/convert", {"opportunity": {"name": "Deal"}})
    assert r.status_code == 200
    assert r.json()["opportunity_id"] is None and r.json()["warnings"]


@pytest.mark.parametrize("body, loc", [
    ({"opportunity": {"amount": "-5"}}, ["body", "opportunity", "amount"]),
    ({"opportunity": {"stage_id": 10**9}}, None),
    ({"account_id": "abc"}, ["body", "account_id"]),
    ({"account_id": 1, "create_account": True}, ["body", "create_account"]),
    ({"surprise": 1}, ["body", "surprise"]),
])
def test_bad_conversion_input_is_422(rep_api, lead, pipeline, body, loc):
    r = rep_api.post(f"leads/{lead.pk}/convert", body)
    assert r.status_code == 422, r.content
    if loc:
        assert r.json()["detail"][0]["loc"] == loc
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert not Contact.objects.exists() and not Opportunity.objects.exists()


def test_a_deleted_lead_cannot_be_converted(rep_api, lead):
    rep_api.delete(f"leads/{lead.pk}")
    assert rep_api.post(f"leads/{lead.pk}/convert").status_code == 404


def test_the_conversion_page(client, rep, lead, pipeline):
    client.force_login(rep)
    page = client.get(f"/leads/{lead.pk}/")
    assert b"convert-dialog" in page.content
    form = client.get(f"/leads/{lead.pk}/convert/")
    assert form.status_code == 200 and b"Create the account" in form.content
    r = client.post(f"/leads/{lead.pk}/convert/", {
        "account": "new", "contact": "new", "create_opportunity": "1",
        "opportunity_name": "Big deal", "opportunity_amount": "100",
        "opportunity_pipeline_id": str(pipeline.pk)})
    lead.refresh_from_db()
    assert r.status_code == 302 and r["Location"] == f"/contacts/{lead.converted_contact_id}/"
    assert Opportunity.objects.get().name == "Big deal"
    again = client.get(f"/leads/{lead.pk}/")
    assert b"convert-dialog" not in again.content and b"data-lead-converted" in again.content


def test_the_conversion_page_with_another_account(client, rep, lead):
    other = records.create("accounts", {"name": "Holding Ruiz"}, actor=rep)
    client.force_login(rep)
    r = client.post(f"/leads/{lead.pk}/convert/", {"account": "other", "account_other": "",
                                                    "contact": "new"})
    assert r.status_code == 422 and b"Search and pick the account." in r.content
    r = client.post(f"/leads/{lead.pk}/convert/", {"account": "other",
                                                    "account_other": str(other.pk),
                                                    "contact": "new"})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.converted_account_id == other.pk
    assert Contact.objects.get(pk=lead.converted_contact_id).account_id == other.pk


def test_a_manager_converts_a_team_members_lead(manager, lead):
    from tests.conftest import api_for

    ids = api_for(manager).post(f"leads/{lead.pk}/convert").json()
    contact = Contact.objects.get(pk=ids["contact_id"])
    assert contact.owner_id == lead.owner_id  # the rep keeps the customer


def test_the_conversion_page_is_refused_to_others(client, other_rep, lead):
    client.force_login(other_rep)
    assert client.get(f"/leads/{lead.pk}/convert/").status_code == 404
    assert client.post(f"/leads/{lead.pk}/convert/", {"account": "new"}).status_code == 404
