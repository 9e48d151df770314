"""The import and export jobs through the REST API (the task backend runs tasks at once in
tests; `test_worker.py` runs them in a real worker)."""

from __future__ import annotations

import csv
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from vinculo.customers.models import Contact
from vinculo.platform import records
from vinculo.platform.models import ImportJob


def upload(api, name: str, content: bytes, **fields):
    data = {"file": SimpleUploadedFile(name, content), **fields}
    return api.client.post("/api/v1/imports", data, headers=api.headers)


CSV = (b"First name,Last name,E-mail,Country,Tags\n"
       b"Ana,Ruiz,ana@example.com,Spain,vip\n"
       b"Bad,Email,not-an-email,ES,\n"
       b"Tom,Hill,tom@example.com,United Kingdom,\n")


def test_import_job_flow(admin_api):
    response = upload(admin_api, "people.csv", CSV, entity="contacts")
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "done"
    status = admin_api.get(f"imports/{job['id']}").json()
    assert status["created"] == 2
    assert status["error_count"] == 1
    assert status["errors"] == [{"row": 3, "column": "E-mail",
                                 "message": "Enter a valid email address."}]
    assert status["progress"] == {"done": 3, "total": 3, "percent": 100}
    assert sorted(Contact.objects.values_list("country", flat=True)) == ["ES", "GB"]


def test_import_refuses_bad_uploads_with_422(admin_api):
    cases = [
        upload(admin_api, "people.csv", CSV, entity="nonsense"),
        upload(admin_api, "people.exe", CSV, entity="contacts"),
        upload(admin_api, "people.xlsx", b"not a zip at all", entity="contacts"),
        upload(admin_api, "people.csv", b"\x00\x01\x02binary", entity="contacts"),
        upload(admin_api, "people.csv", b"", entity="contacts"),
        upload(admin_api, "people.csv", CSV, entity="contacts", dedupe="phone"),
        upload(admin_api, "people.vcf", CSV, entity="contacts"),
        admin_api.client.post("/api/v1/imports", {"entity": "contacts"},
                              headers=admin_api.headers),
    ]
    for response in cases:
        assert response.status_code == 422, response.content
        assert response.json()["detail"]
    assert not ImportJob.objects.exists()


def test_a_malformed_workbook_fails_the_job_with_a_message(admin_api):
    response = upload(admin_api, "people.xlsx", b"PK\x03\x04 but not really a workbook",
                      entity="contacts")
    assert response.status_code == 201
    job = admin_api.get(f"imports/{response.json()['id']}").json()
    assert job["status"] == "failed"
    assert "Excel" in job["message"]


def test_jobs_of_others_are_404(admin_api, rep_api, other_api):
    job = upload(rep_api, "people.csv", CSV, entity="contacts").json()
    assert other_api.get(f"imports/{job['id']}").status_code == 404
    assert admin_api.get(f"imports/{job['id']}").status_code == 404
    export = rep_api.post("exports", {"entity": "contacts", "format": "csv"}).json()
    assert other_api.get(f"exports/{export['id']}").status_code == 404
    assert other_api.get(f"exports/{export['id']}/download").status_code == 404
    assert rep_api.get(f"exports/{export['id']}/download").status_code == 200


def test_export_job_flow_with_filter_and_download(rep, rep_api, other_rep):
    records.create("contacts", {"first_name": "Mine", "city": "Madrid"}, actor=rep)
    records.create("contacts", {"first_name": "Also mine", "city": "Lima"}, actor=rep)
    records.create("contacts", {"first_name": "Not mine", "city": "Madrid"}, actor=other_rep)
    response = rep_api.post("exports", {
        "entity": "contacts", "format": "csv",
        "filter": {"field": "city", "op": "eq", "value": "Madrid"}})
    assert response.status_code == 201, response.content
    job = rep_api.get(f"exports/{response.json()['id']}").json()
    assert job["status"] == "done"
    assert job["download_url"].endswith(f"/api/v1/exports/{job['id']}/download")
    download = rep_api.client.get(job["download_url"], headers=rep_api.headers)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["first_name"] for r in rows] == ["Mine"]


def test_export_refuses_bad_requests_with_422(admin_api):
    bad = [
        {"entity": "contacts", "format": "pdf"},
        {"entity": "nonsense", "format": "csv"},
        {"entity": "accounts", "format": "vcf"},
        {"entity": "contacts", "format": "csv", "filter": {"field": "nope", "op": "eq",
                                                          "value": 1}},
        {"entity": "contacts", "format": "csv", "filter": "{not json"},
        {"entity": "contacts", "format": "csv", "ids": ["x"]},
        {"entity": "contacts", "format": "csv", "unknown": 1},
    ]
    for body in bad:
        response = admin_api.post("exports", body)
        assert response.status_code == 422, (body, response.content)


def test_export_by_ids_as_json(admin, admin_api):
    a = records.create("contacts", {"first_name": "A", "tags": ["x"]}, actor=admin)
    records.create("contacts", {"first_name": "B"}, actor=admin)
    job = admin_api.post("exports", {"entity": "contacts", "format": "json",
                                     "ids": [a.pk]}).json()
    response = admin_api.client.get(f"/api/v1/exports/{job['id']}/download",
                                    headers=admin_api.headers)
    items = json.loads(b"".join(response.streaming_content))
    assert [(i["first_name"], i["tags"]) for i in items] == [("A", ["x"])]


def test_anonymous_requests_are_401(anon_api):
    assert anon_api.get("imports/1").status_code == 401
    assert anon_api.post("exports", {"entity": "contacts"}).status_code == 401


def test_422_names_the_field_at_fault(admin_api):
    dedupe = upload(admin_api, "people.csv", CSV, entity="contacts", dedupe="phone").json()
    assert dedupe["detail"][0]["loc"] == ["body", "dedupe"]
    content = upload(admin_api, "people.xlsx", b"plain", entity="contacts").json()
    assert content["detail"][0]["loc"] == ["body", "file"]
    vcard = admin_api.post("exports", {"entity": "accounts", "format": "vcf"}).json()
    assert vcard["detail"][0]["loc"] == ["body", "format"]
    bad_filter = admin_api.post("exports", {"entity": "contacts", "filter": {
        "field": "nope", "op": "eq", "value": 1}}).json()
    assert bad_filter["detail"][0]["loc"][:2] == ["query", "filter"]


def test_job_lists_are_paginated_collections_of_ones_own_jobs(admin_api, rep_api):
    for _ in range(3):
        r = admin_api.post("exports", {"entity": "contacts", "format": "csv"})
        assert r.status_code == 201, r.content
    page = admin_api.get("exports", limit=2).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = admin_api.get("exports", limit=2, cursor=page["next_cursor"]).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    ids = [j["id"] for j in page["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True)
    assert rep_api.get("exports").json() == {"items": [], "next_cursor": None}
    assert rep_api.get("imports").json()["items"] == []
