"""The import and export pages: upload, progress, error rows, export and download."""

from __future__ import annotations

import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vinculo.customers.models import Contact
from vinculo.platform import records
from vinculo.platform.models import ExportJob, ImportJob


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_sign_in(db):
    client = Client()
    for url in ("/imports/new/", "/imports/1/", "/exports/new/", "/exports/1/",
                "/exports/1/download/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_upload_then_follow_the_import(rep):
    client = signed_in(rep)
    page = client.get("/imports/new/")
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    content = "Nombre,Apellidos,Correo electrónico\nAna,Ruiz,ana@example.com\nX,Y,bad\n"
    response = client.post("/imports/new/", {
        "file": SimpleUploadedFile("gente.csv", content.encode()), "entity": "contacts",
        "format": "", "dedupe": ""})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    detail = client.get(f"/imports/{job.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert re.search(r'data-count="created"[^>]*>1<', text)
    assert "Enter a valid email address." in text
    assert "Correo electrónico" in text  # the column, named as in the file
    assert 'hx-trigger="every 1s"' not in text  # finished: no more polling
    fragment = client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true",
                                                         "HX-Target": "job-status"})
    assert fragment.content.decode().lstrip().startswith('<section id="job-status"')
    assert Contact.objects.get().owner_id == rep.pk


def test_a_running_import_polls(rep):
    job = ImportJob.objects.create(owner=rep, entity="contacts", format="csv", file="x",
                                   status="running", total_rows=10, rows_done=4)
    text = signed_in(rep).get(f"/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in text
    assert 'value="40"' in text


def test_bad_upload_shows_the_reason(rep):
    response = signed_in(rep).post("/imports/new/", {
        "file": SimpleUploadedFile("people.xlsx", b"plain text"), "entity": "contacts"})
    assert response.status_code == 200
    assert "Excel" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_export_from_the_form_and_from_a_list_selection(rep, other_rep):
    mine = records.create("contacts", {"first_name": "Mine"}, actor=rep)
    records.create("contacts", {"first_name": "Other mine"}, actor=rep)
    records.create("contacts", {"first_name": "Not mine"}, actor=other_rep)
    client = signed_in(rep)
    assert client.get("/exports/new/").status_code == 200
    response = client.post("/exports/new/", {"entity": "contacts", "format": "json",
                                              "filter": "", "ids": [str(mine.pk)]})
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    detail = client.get(f"/exports/{job.pk}/").content.decode()
    assert f'href="/exports/{job.pk}/download/"' in detail
    download = client.get(f"/exports/{job.pk}/download/")
    assert [r["first_name"] for r in json.loads(b"".join(download.streaming_content))] == [
        "Mine"]
    assert signed_in(other_rep).get(f"/exports/{job.pk}/").status_code == 404
    assert signed_in(other_rep).get(f"/exports/{job.pk}/download/").status_code == 404


def test_export_form_reports_a_bad_filter(rep):
    response = signed_in(rep).post("/exports/new/", {
        "entity": "contacts", "format": "csv", "filter": '{"field": "nope", "op": "eq"}'})
    assert response.status_code == 200
    assert not ExportJob.objects.exists()
    broken = signed_in(rep).post("/exports/new/", {"entity": "contacts", "format": "csv",
                                                   "filter": "{oops"})
    assert "not valid JSON" in broken.content.decode()


def test_csrf_is_required(rep):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    response = client.post("/exports/new/", {"entity": "contacts", "format": "csv"})
    assert response.status_code == 403
