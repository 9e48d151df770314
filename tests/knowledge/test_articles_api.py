"""Knowledge articles through the API: CRUD, drafts and versions, search, permissions, 422s."""

import json

from vinculo.service.knowledge.models import ArticleVersion


def test_create_published_with_category_by_name(article, billing):
    assert article["status"] == "published"
    assert article["published_version"] == 1
    assert article["category_id"] == billing["id"]
    assert article["category"] == "Billing"
    assert article["has_unpublished_changes"] is False


def test_a_draft_is_not_published_until_asked(agent_api, rep_api):
    r = agent_api.post("knowledge-articles", {"title": "Secret draft", "body": "wip"})
    assert r.status_code == 201, r.content
    draft = r.json()
    assert draft["status"] == "draft" and draft["published_version"] is None
    # A sales rep only reads published articles.
    assert rep_api.get(f"knowledge-articles/{draft['id']}").status_code == 404
    assert draft["id"] not in [a["id"] for a in rep_api.get("knowledge-articles").json()["items"]]
    r = agent_api.post(f"knowledge-articles/{draft['id']}/publish")
    assert r.status_code == 200 and r.json()["published_version"] == 1
    assert rep_api.get(f"knowledge-articles/{draft['id']}").status_code == 200


def test_editing_a_published_article_works_on_a_draft(agent_api, rep_api, article, agent):
    pk = article["id"]
    r = agent_api.patch(f"knowledge-articles/{pk}", {"body": "New steps"},
                        headers={"If-Match": str(article["version"])})
    assert r.status_code == 200, r.content
    edited = r.json()
    assert edited["status"] == "draft" and edited["has_unpublished_changes"] is True
    assert edited["published_version"] == 1 and edited["body"] == "New steps"
    # Readers still see the published version.
    seen = rep_api.get(f"knowledge-articles/{pk}").json()
    assert seen["body"] == "Open **Settings** and then *Billing*." and seen["status"] == "published"
    # Publishing makes version 2; version 1 is kept as it was.
    r = agent_api.patch(f"knowledge-articles/{pk}", {"status": "published"})
    assert r.json()["published_version"] == 2
    assert rep_api.get(f"knowledge-articles/{pk}").json()["body"] == "New steps"
    versions = agent_api.get(f"knowledge-articles/{pk}/versions").json()["items"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["body"] == "Open **Settings** and then *Billing*."
    assert versions[0]["published_by"] == agent.username
    one = agent_api.get(f"knowledge-articles/{pk}/versions/1").json()
    assert one["title"] == article["title"]
    assert agent_api.get(f"knowledge-articles/{pk}/versions/9").status_code == 404
    # Publishing again with nothing new makes no version.
    agent_api.post(f"knowledge-articles/{pk}/publish")
    assert ArticleVersion.objects.filter(article_id=pk).count() == 2


def test_stale_version_is_412_and_changes_nothing(agent_api, article):
    pk = article["id"]
    agent_api.patch(f"knowledge-articles/{pk}", {"title": "Changed once"})
    r = agent_api.patch(f"knowledge-articles/{pk}", {"title": "Lost update"},
                        headers={"If-Match": str(article["version"])})
    assert r.status_code == 412
    assert agent_api.get(f"knowledge-articles/{pk}").json()["title"] == "Changed once"


def test_idempotency_key_creates_once(agent_api):
    body = {"title": "Reset a password", "language": "en"}
    first = agent_api.post("knowledge-articles", body, headers={"Idempotency-Key": "k1"})
    again = agent_api.post("knowledge-articles", body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]


def test_delete_restore_and_filter(agent_api, article):
    pk = article["id"]
    es = agent_api.post("knowledge-articles", {"title": "Cambiar la dirección de facturación",
                                               "language": "es", "status": "published",
                                               "translation_of_id": pk}).json()
    assert es["translation_of_id"] == pk
    flt = json.dumps({"field": "language", "op": "eq", "value": "es"})
    ids = [a["id"] for a in agent_api.get("knowledge-articles", filter=flt).json()["items"]]
    assert ids == [es["id"]]
    assert agent_api.delete(f"knowledge-articles/{pk}").status_code == 204
    assert agent_api.get(f"knowledge-articles/{pk}").status_code == 404
    assert agent_api.post(f"knowledge-articles/{pk}/restore").status_code == 200
    assert agent_api.get(f"knowledge-articles/{pk}").status_code == 200


def test_search_is_accent_insensitive(agent_api, rep_api, article):
    agent_api.post("knowledge-articles", {"title": "Devolución de un pedido", "language": "es",
                                          "body": "Cómo pedir el reembolso.",
                                          "status": "published"})
    for q in ("devolucion", "DEVOLUCIÓN", "reembolso", "como pedir"):
        items = rep_api.get("knowledge-articles", q=q).json()["items"]
        assert [a["title"] for a in items] == ["Devolución de un pedido"], q



def test_global_search_finds_articles_and_hides_draft_titles(agent_api, rep, article):
    from django.test import Client

    agent_api.post("knowledge-articles", {"title": "Devolución de un pedido", "language": "es",
                                          "status": "published"})
    draft = agent_api.post("knowledge-articles", {"title": "Secret launch plan"}).json()
    client = Client()
    client.force_login(rep)
    page = client.get("/search/", {"q": "devolucion"}).content.decode()
    assert "Devolución de un pedido" in page and "/knowledge-articles/" in page
    page = client.get("/search/", {"q": "launch"}).content.decode()
    assert "Secret launch plan" not in page
    assert client.get(f"/knowledge-articles/{draft['id']}/", follow=True).status_code == 404
    r = client.get(f"/knowledge-articles/{article['id']}/")
    assert r.status_code == 302 and r["Location"] == f"/knowledge/{article['id']}/"


def test_permissions(rep_api, admin_api, manager, article):
    from tests.conftest import api_for

    pk = article["id"]
    r = rep_api.post("knowledge-articles", {"title": "Sales tips"})
    assert r.status_code == 403
    assert rep_api.patch(f"knowledge-articles/{pk}", {"title": "x"}).status_code == 403
    assert rep_api.delete(f"knowledge-articles/{pk}").status_code == 403
    assert rep_api.post(f"knowledge-articles/{pk}/publish").status_code == 403
    assert rep_api.post("knowledge-categories", {"name": "Tips"}).status_code == 403
    # managers and admins write
    assert api_for(manager).patch(f"knowledge-articles/{pk}", {"title": "Mgr"}).status_code == 200
    assert admin_api.patch(f"knowledge-articles/{pk}", {"title": "Adm"}).status_code == 200


def test_bad_input_is_422_naming_the_field(agent_api, article):
    cases = [
        ({"title": ""}, "title"),
        ({"title": "x", "language": "fr"}, "language"),
        ({"title": "x", "status": "archived"}, "status"),
        ({"title": "x", "category": "Nope"}, "category"),
        ({"title": "x", "category_id": 999999}, "category_id"),
        ({"title": "x", "nonsense": 1}, "nonsense"),
        ({"title": "x", "language": "en", "translation_of_id": article["id"]},
         "translation_of_id"),
        ({"title": "x\x00"}, "title"),
    ]
    for body, field in cases:
        r = agent_api.post("knowledge-articles", body)
        assert r.status_code == 422, (body, r.content)
        locs = [d["loc"] for d in r.json()["detail"]]
        assert any(field in loc for loc in locs), (body, locs)
    r = agent_api.patch(f"knowledge-articles/{article['id']}", {"title": "y"},
                        headers={"If-Match": "abc"})
    assert r.status_code == 422
    assert agent_api.get("knowledge-articles", cursor="garbage").status_code == 422
    assert agent_api.get("knowledge-articles", filter="{bad").status_code == 422


def test_anonymous_is_401(anon_api):
    assert anon_api.get("knowledge-articles").status_code == 401
