"""The lists pages: create, add from the bulk bar, remove, share, export, permissions."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def rita_client(rep):
    client = Client()
    client.force_login(rep)
    return client


@pytest.mark.django_db
def test_create_add_selected_remove_and_export(people, rep, rita_client):
    from vinculo.marketing.lists.models import StaticList

    r = rita_client.post("/lists/", {"name": "Fair", "entity": "contacts",
                                     "visibility": "private"})
    assert r.status_code == 302
    lst = StaticList.objects.get(name="Fair")
    page = rita_client.get("/contacts/")
    assert b"Add to list" in page.content and b"/lists/add-selected/" in page.content
    r = rita_client.post("/lists/add-selected/", {
        "entity": "contacts", "list_id": str(lst.pk), "next": "/contacts/",
        "ids": [people["Lucía"].pk, people["Pedro"].pk, people["Oscarina"].pk]})
    assert r.status_code == 302 and r["Location"] == "/contacts/"
    assert lst.members.count() == 2  # Oscarina is another rep's: skipped
    detail = rita_client.get(f"/lists/{lst.pk}/")
    assert detail.status_code == 200
    assert "Lucía" in detail.content.decode()
    # email formats leave out Pedro (no opt-in)
    assert "leave out 1 without opt-in" in detail.content.decode()
    r = rita_client.post(f"/lists/{lst.pk}/members/", {"how": "remove",
                                                       "ids": [people["Pedro"].pk]})
    assert r.status_code == 302 and lst.members.count() == 1
    r = rita_client.get(f"/lists/{lst.pk}/export/", {"format": "pdf", "sheet": "a4-3x8"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    # a new list straight from the bulk bar
    r = rita_client.post("/lists/add-selected/", {"entity": "contacts", "list_id": "new",
                                                  "new_list": "Quick",
                                                  "ids": [people["Juan"].pk]})
    assert StaticList.objects.get(name="Quick").members.count() == 1


@pytest.mark.django_db
def test_share_from_the_page_and_revoke(people, rep, rita_client):
    from vinculo.marketing.lists import services
    from vinculo.marketing.lists.models import ShareLink

    lst = services.save(rep, {"name": "Partners", "member_ids": [people["Lucía"].pk]})
    r = rita_client.post(f"/lists/{lst.pk}/shares/", {"partner_name": "Sur", "days": "7",
                                                      "fields": ["first_name", "city"],
                                                      "allow_download": "on"})
    assert r.status_code == 302
    link = ShareLink.objects.get()
    assert link.fields == ["first_name", "city"]
    assert (link.expires_at - link.created_at).days == 7
    detail = rita_client.get(f"/lists/{lst.pk}/").content.decode()
    assert "/shared/lists/" in detail
    rita_client.post(f"/lists/{lst.pk}/shares/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None


@pytest.mark.django_db
def test_another_reps_private_list_is_404_and_team_list_read_only(people, rep, other_rep):
    from vinculo.marketing.lists import services

    private = services.save(rep, {"name": "Rita secret plans"})
    team = services.save(rep, {"name": "Team", "visibility": "team"})
    oscar = Client()
    oscar.force_login(other_rep)
    assert oscar.get(f"/lists/{private.pk}/").status_code == 404
    assert oscar.get(f"/lists/{team.pk}/").status_code == 200
    assert oscar.post(f"/lists/{team.pk}/members/", {"how": "search",
                                                     "q": "x"}).status_code == 403
    assert oscar.post(f"/lists/{team.pk}/shares/", {"partner_name": "X"}).status_code == 403
    assert b"Rita secret plans" not in oscar.get("/lists/").content
    assert Client().get("/lists/").status_code == 302  # sign in first
