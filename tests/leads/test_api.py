"""Leads through the API: create, read, change, validation, bad input and record access."""

import pytest

from vinculo.platform import records
from vinculo.sales.leads.models import Lead

pytestmark = pytest.mark.django_db


def errors_of(response) -> dict:
    return {tuple(e["loc"][1:]): e["msg"] for e in response.json()["detail"]}


def test_create_read_update_delete(rep_api, rep):
    r = rep_api.post("leads", {"first_name": "Ana", "last_name": "Ruiz", "company": "Acme SL",
                               "email": "  Ana.Ruiz@Acme.ES ", "phone": "612 345 678",
                               "country": "es", "source": "event"})
    assert r.status_code == 201, r.content
    lead = r.json()
    assert lead["email"] == "ana.ruiz@acme.es"
    assert lead["phone"] == "+34612345678"
    assert lead["country"] == "ES"
    assert lead["status"] == "new"
    assert lead["owner_id"] == rep.pk
    assert lead["score"] == 0 and lead["score_reasons"] == []
    r = rep_api.patch(f"leads/{lead['id']}", {"status": "working"},
                      headers={"If-Match": str(lead["version"])})
    assert r.status_code == 200 and r.json()["status"] == "working"
    r = rep_api.get("leads", filter='{"field": "company", "op": "icontains", "value": "acme"}')
    assert [x["id"] for x in r.json()["items"]] == [lead["id"]]
    assert rep_api.delete(f"leads/{lead['id']}").status_code == 204
    assert rep_api.get(f"leads/{lead['id']}").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-email", "last_name": "X"}, "email"),
    ({"phone": "12", "last_name": "X"}, "phone"),
    ({"country": "XX", "last_name": "X"}, "country"),
    ({"title": "CEO"}, "last_name"),
    ({"last_name": "X", "status": "disqualified"}, "disqualified_reason"),
    ({"last_name": "X", "status": "converted"}, "status"),
    ({"last_name": "X", "status": "nope"}, "status"),
    ({"last_name": "X", "employees": -1}, "employees"),
    ({"last_name": "X", "unknown": 1}, "unknown"),
    ({"last_name": "X", "owner_id": 999999}, "owner_id"),
    ({"last_name": "X", "first_name": "a\x00b"}, "first_name"),
])
def test_bad_input_is_a_422_naming_the_field(rep_api, body, field):
    r = rep_api.post("leads", body)
    assert r.status_code == 422, r.content
    assert any(loc[:1] == (field,) for loc in errors_of(r)), r.json()


def test_disqualified_with_a_reason(rep_api):
    r = rep_api.post("leads", {"company": "Tiny", "status": "disqualified",
                               "disqualified_reason": "No budget"})
    assert r.status_code == 201
    lead = r.json()
    r = rep_api.patch(f"leads/{lead['id']}", {"disqualified_reason": ""})
    assert r.status_code == 422 and ("disqualified_reason",) in errors_of(r)


def test_status_converted_only_through_conversion(rep_api):
    lead = rep_api.post("leads", {"last_name": "Ruiz"}).json()
    r = rep_api.patch(f"leads/{lead['id']}", {"status": "converted"})
    assert r.status_code == 422 and ("status",) in errors_of(r)


def test_a_rep_sees_only_their_leads(rep_api, other_api, manager, admin_api):
    mine = rep_api.post("leads", {"last_name": "Mine"}).json()
    assert other_api.get(f"leads/{mine['id']}").status_code == 404
    assert other_api.patch(f"leads/{mine['id']}", {"last_name": "Theirs"}).status_code == 404
    assert other_api.post(f"leads/{mine['id']}/convert", {}).status_code == 404
    assert other_api.get(f"leads/{mine['id']}/duplicates").status_code == 404
    assert other_api.get("leads").json()["items"] == []
    assert admin_api.get(f"leads/{mine['id']}").status_code == 200


def test_anonymous_is_401(anon_api):
    assert anon_api.get("leads").status_code == 401
    assert anon_api.post("leads/1/convert", {}).status_code == 401


def test_csv_import_creates_leads_through_the_pipeline(admin_api, admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    records.create("leads", {"last_name": "Old", "email": "eva@gil.es"}, actor=admin)
    content = (b"First name,Last name,Company,Email,Phone,Country,Source\n"
               b"Eva,Gil,Gil SA,EVA@GIL.ES,+34 911 222 333,Spain,import\n"
               b"Leo,Paz,Paz SL,leo@paz.es,911 222 334,ES,event\n"
               b",,,,,,\n"
               b"Bad,Mail,X,not-an-email,,ES,web\n")
    response = admin_api.client.post(
        "/api/v1/imports", {"file": SimpleUploadedFile("leads.csv", content), "entity": "leads"},
        headers=admin_api.headers)
    assert response.status_code == 201, response.content
    job = admin_api.get(f"imports/{response.json()['id']}").json()
    assert job["status"] == "done", job
    assert job["created"] == 2, job
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(5, "Email")], job
    eva = Lead.objects.get(email="eva@gil.es", first_name="Eva")
    assert (eva.first_name, eva.company, eva.phone) == ("Eva", "Gil SA", "+34911222333")
    leo = Lead.objects.get(email="leo@paz.es")
    assert (leo.phone, leo.source, leo.country) == ("+34911222334", "event", "ES")
