"""Share links (valid, expired, revoked, tampered, logged) and campaign exports (consent,
formats, PDF labels)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone


@pytest.fixture
def full_list(people, rep_api):
    ids = [c.pk for name, c in people.items() if name != "Oscarina"]
    return rep_api.post("lists", {"name": "Spring fair", "member_ids": ids}).json()


def share(rep_api, lst, **extra):
    r = rep_api.post(f"lists/{lst['id']}/shares", {"partner_name": "Distribuidora Sur",
                                                   "fields": ["first_name", "email", "city"],
                                                   **extra})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.mark.django_db
def test_share_link_page_download_and_access_log(full_list, rep_api):
    from vinculo.marketing.lists.models import ShareAccess

    link = share(rep_api, full_list)
    anon = Client()
    r = anon.get(link["url"], HTTP_USER_AGENT="PartnerBrowser/1.0")
    assert r.status_code == 200
    html = r.content.decode()
    assert "lucia@example.com" in html and "Madrid" in html
    assert "Prueba" not in html  # last_name not among the allowed fields
    r = anon.get(link["url"] + "download/?format=csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["First name", "Email", "City"] and len(rows) == 5
    r = anon.get(link["url"] + "download/?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    kinds = list(ShareAccess.objects.order_by("id").values_list("kind", "user_agent"))
    assert kinds[0] == ("view", "PartnerBrowser/1.0")
    assert [k for k, _ua in kinds] == ["view", "download", "download"]
    log = rep_api.get(f"lists/{full_list['id']}/shares/{link['id']}/accesses").json()
    assert len(log["items"]) == 3
    listed = rep_api.get(f"lists/{full_list['id']}/shares").json()
    assert listed[0]["access_count"] == 3


@pytest.mark.django_db
def test_revoked_expired_and_tampered_links_change_nothing(full_list, rep_api):
    from vinculo.marketing.lists.models import ShareAccess, ShareLink

    link = share(rep_api, full_list)
    anon = Client()
    # tampered: one character changed in the signature, or an unknown token
    token = link["url"].split("/")[3]
    bad = token[:-1] + ("A" if token[-1] != "A" else "B")
    r = anon.get(f"/shared/lists/{bad}/")
    assert r.status_code == 404 and "not valid" in r.content.decode()
    assert anon.get("/shared/lists/nonsense/").status_code == 404
    assert anon.get(f"/shared/lists/{bad}/download/").status_code == 404
    # expired
    ShareLink.objects.filter(pk=link["id"]).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    r = anon.get(link["url"])
    assert r.status_code == 410 and "expired" in r.content.decode()
    ShareLink.objects.filter(pk=link["id"]).update(
        expires_at=timezone.now() + dt.timedelta(days=1))
    # revoked
    r = rep_api.post(f"lists/{full_list['id']}/shares/{link['id']}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = anon.get(link["url"])
    assert r.status_code == 410 and "withdrawn" in r.content.decode()
    assert anon.get(link["url"] + "download/?format=csv").status_code == 410
    assert ShareAccess.objects.count() == 0
    assert ShareLink.objects.get(pk=link["id"]).revoked_at is not None


@pytest.mark.django_db
def test_download_refused_when_not_allowed(full_list, rep_api):
    link = share(rep_api, full_list, allow_download=False)
    assert Client().get(link["url"] + "download/?format=csv").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("body, loc", [
    ({"partner_name": ""}, "partner_name"),
    ({"partner_name": "X", "fields": ["password"]}, "fields"),
    ({"partner_name": "X", "days": 0}, "days"),
    ({"partner_name": "X", "days": 999}, "days"),
    ({"partner_name": "X", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
])
def test_bad_share_requests_are_422(full_list, rep_api, body, loc):
    r = rep_api.post(f"lists/{full_list['id']}/shares", body)
    assert r.status_code == 422, r.content
    assert loc in str(r.json()["detail"])


@pytest.mark.django_db
def test_only_the_owner_manages_share_links(full_list, rep_api, other_api):
    rep_api.patch(f"lists/{full_list['id']}", {"visibility": "team"})
    assert other_api.post(f"lists/{full_list['id']}/shares",
                          {"partner_name": "X"}).status_code == 403
    assert other_api.get(f"lists/{full_list['id']}/shares").status_code == 403


@pytest.mark.django_db
def test_mass_email_csv_leaves_out_who_did_not_consent(full_list, rep_api):
    # members: Lucía (opt-in), Pedro (no opt-in), Marta (opt-in but do-not-contact), Juan
    r = rep_api.get(f"lists/{full_list['id']}/export", format="csv")
    assert r.status_code == 200, r.content
    assert r["X-Vinculo-Excluded"] == "2" and r["X-Vinculo-Included"] == "2"
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["email"] for row in rows] == ["lucia@example.com", "juan@example.com"]
    assert rows[0]["first_name"] == "Lucía" and rows[0]["company"] == "Acme SL"
    assert rows[0]["tags"] == "fair;vip" and rows[1]["tags"] == ""
    summary = rep_api.get(f"lists/{full_list['id']}/export/summary", format="csv").json()
    assert summary == {"format": "csv", "included": 2, "excluded": 2}
    everyone = rep_api.get(f"lists/{full_list['id']}/export", format="csv", consent="false")
    assert everyone["X-Vinculo-Excluded"] == "0"
    assert len(list(csv.DictReader(io.StringIO(everyone.content.decode("utf-8-sig"))))) == 4


@pytest.mark.django_db
def test_json_xlsx_and_vcard_exports(full_list, rep_api):
    r = rep_api.get(f"lists/{full_list['id']}/export", format="json")
    data = json.loads(r.content)
    assert sorted(item["email"] for item in data) == ["juan@example.com", "lucia@example.com"]
    r = rep_api.get(f"lists/{full_list['id']}/export", format="xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = rep_api.get(f"lists/{full_list['id']}/export", format="vcf")
    text = r.content.decode()
    assert text.count("BEGIN:VCARD") == 2 and "lucia@example.com" in text


@pytest.mark.django_db
@pytest.mark.parametrize("sheet, per_page", [("a4-3x7", 21), ("a4-3x8", 24),
                                              ("letter-3x10", 30)])
def test_pdf_labels_pages(people, admin, sheet, per_page):
    import re
    import zlib

    from vinculo.marketing.lists import labels
    from vinculo.platform import records

    contacts = [records.create("contacts", {"first_name": f"N{i}", "last_name": "L",
                                            "street": "Rua 1", "city": "Porto",
                                            "postal_code": "4000", "country": "PT"},
                               actor=admin) for i in range(per_page + 1)]
    content, count = labels.render(contacts, sheet)
    assert count == per_page + 1
    assert content.startswith(b"%PDF") and content.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", content)) == 2
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    text = b"".join(zlib.decompress(s) for s in streams if s[:1] == b"x")
    assert b"PORTUGAL" in text and b"N0 L" in text


@pytest.mark.django_db
def test_pdf_labels_through_the_api_leave_out_do_not_contact(full_list, rep_api):
    r = rep_api.get(f"lists/{full_list['id']}/export", format="pdf", sheet="letter-3x10")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    # direct mail: only Marta (do not contact) is left out; opt-in is for email
    assert r["X-Vinculo-Excluded"] == "1" and r["X-Vinculo-Included"] == "3"


@pytest.mark.django_db
@pytest.mark.parametrize("params, loc", [({"format": "doc"}, "format"),
                                         ({"format": "pdf", "sheet": "b5"}, "sheet")])
def test_bad_export_requests_are_422(full_list, rep_api, params, loc):
    r = rep_api.get(f"lists/{full_list['id']}/export", **params)
    assert r.status_code == 422 and loc in str(r.json()["detail"])


@pytest.mark.django_db
def test_segment_campaign_export(people, rep_api):
    seg = rep_api.post("segments", {"name": "Lima", "filter": {
        "field": "city", "op": "ieq", "value": "lima"}}).json()
    r = rep_api.get(f"segments/{seg['id']}/campaign-export", format="csv")
    assert r.status_code == 200
    assert r["X-Vinculo-Included"] == "1" and r["X-Vinculo-Excluded"] == "1"
