"""Sharing accounts and contacts with users and teams; parent accounts."""

import pytest

from tests.conftest import api_for, make_user
from vinculo.identity.models import Team
from vinculo.platform import records
from vinculo.platform.models import RecordShare


@pytest.fixture
def deal(rep):
    return records.create("accounts", {"name": "Acme"}, actor=rep)


def test_owner_shares_a_record_with_a_user(rep_api, deal, other_rep):
    other_api = api_for(other_rep)
    assert other_api.get(f"accounts/{deal.pk}").status_code == 404

    r = rep_api.post(f"accounts/{deal.pk}/shares", {"user_id": other_rep.pk})
    assert r.status_code == 201, r.content
    share = r.json()
    assert share["user_id"] == other_rep.pk and share["can_edit"] is False
    assert other_api.get(f"accounts/{deal.pk}").status_code == 200
    assert other_api.patch(f"accounts/{deal.pk}", {"industry": "Retail"}).status_code == 403

    r = rep_api.post(f"accounts/{deal.pk}/shares", {"user_id": other_rep.pk, "can_edit": True})
    assert r.status_code == 200 and r.json()["id"] == share["id"]
    assert other_api.patch(f"accounts/{deal.pk}", {"industry": "Retail"}).status_code == 200

    listing = rep_api.get(f"accounts/{deal.pk}/shares").json()["items"]
    assert [s["id"] for s in listing] == [share["id"]]

    r = rep_api.delete(f"accounts/{deal.pk}/shares/{share['id']}")
    assert r.status_code == 204
    assert other_api.get(f"accounts/{deal.pk}").status_code == 404
    assert rep_api.delete(f"accounts/{deal.pk}/shares/{share['id']}").status_code == 404


def test_sharing_with_a_team(rep, rep_api, outsider):
    person = records.create("contacts", {"first_name": "Eva"}, actor=rep)
    latam = Team.objects.get(name="LatAm")
    r = rep_api.post(f"contacts/{person.pk}/shares", {"team_id": latam.pk})
    assert r.status_code == 201
    assert api_for(outsider).get(f"contacts/{person.pk}").status_code == 200


def test_who_may_share(rep, other_rep, outsider, manager, admin, deal):
    RecordShare.objects.create(entity="accounts", record_id=deal.pk, user=other_rep,
                               can_edit=True)
    body = {"user_id": outsider.pk}
    # someone it is shared with, even with edit rights, may not pass it on
    assert api_for(other_rep).post(f"accounts/{deal.pk}/shares", body).status_code == 403
    assert api_for(outsider).post(f"accounts/{deal.pk}/shares", body).status_code == 404
    # a manager of the owner's team and an administrator may
    assert api_for(manager).post(f"accounts/{deal.pk}/shares", body).status_code == 201
    share_id = RecordShare.objects.get(user=outsider).pk
    assert api_for(other_rep).delete(f"accounts/{deal.pk}/shares/{share_id}").status_code == 403
    assert api_for(admin).delete(f"accounts/{deal.pk}/shares/{share_id}").status_code == 204

    latam_manager = make_user("lola", "manager", teams=["LatAm"])
    RecordShare.objects.create(entity="accounts", record_id=deal.pk, user=latam_manager)
    r = api_for(latam_manager).post(f"accounts/{deal.pk}/shares", body)
    assert r.status_code == 403  # a manager, but not of the owner's team


def test_bad_share_requests(rep_api, deal, other_rep):
    path = f"accounts/{deal.pk}/shares"
    assert rep_api.post(path, {}).status_code == 422
    team = Team.objects.get(name="Iberia")
    assert rep_api.post(path, {"user_id": other_rep.pk, "team_id": team.pk}).status_code == 422
    assert rep_api.post(path, {"user_id": 999999}).status_code == 422
    assert rep_api.post(path, {"team_id": 999999}).status_code == 422
    assert rep_api.post(path, {"user_id": "x"}).status_code == 422
    assert rep_api.post(path, {"user_id": other_rep.pk, "extra": 1}).status_code == 422
    assert rep_api.post("accounts/999999/shares", {"user_id": other_rep.pk}).status_code == 404
    other = records.create("accounts", {"name": "Other"}, actor=other_rep)
    share = RecordShare.objects.create(entity="accounts", record_id=other.pk, user=other_rep)
    assert rep_api.delete(f"accounts/{deal.pk}/shares/{share.pk}").status_code == 404
    assert RecordShare.objects.count() == 1


# ---------------------------------------------------------------------------- hierarchy


def test_parent_accounts_refuse_loops(rep_api):
    top = rep_api.post("accounts", {"name": "Holding"}).json()["id"]
    mid = rep_api.post("accounts", {"name": "Iberia", "parent_id": top}).json()["id"]
    low = rep_api.post("accounts", {"name": "Madrid", "parent_id": mid}).json()["id"]

    r = rep_api.patch(f"accounts/{top}", {"parent_id": low})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "parent_id"]
    r = rep_api.patch(f"accounts/{top}", {"parent_id": top})
    assert r.status_code == 422
    r = rep_api.patch(f"accounts/{top}", {"parent_id": 999999})
    assert r.status_code == 422
    assert rep_api.get(f"accounts/{top}").json()["parent_id"] is None


def test_children_endpoint(rep, rep_api, other_rep):
    top = records.create("accounts", {"name": "Holding"}, actor=rep)
    kids = [records.create("accounts", {"name": n, "parent_id": top.pk}, actor=rep)
            for n in ("Zeta", "Alfa", "Beta")]
    hidden = records.create("accounts", {"name": "Gamma"}, actor=other_rep)
    records.update(hidden, {"parent_id": top.pk}, actor=None)
    gone = records.create("accounts", {"name": "Delta", "parent_id": top.pk}, actor=rep)
    records.delete(gone, actor=rep)

    r = rep_api.get(f"accounts/{top.pk}/children", limit=2)
    assert r.status_code == 200
    page = r.json()
    assert [a["name"] for a in page["items"]] == ["Alfa", "Beta"]
    r = rep_api.get(f"accounts/{top.pk}/children", limit=2, cursor=page["next_cursor"])
    assert [a["name"] for a in r.json()["items"]] == ["Zeta"]
    assert r.json()["next_cursor"] is None
    assert {k.pk for k in kids} == {a["id"] for a in page["items"]} | {r.json()["items"][0]["id"]}
    assert api_for(other_rep).get(f"accounts/{top.pk}/children").status_code == 404
