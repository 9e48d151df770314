"""Knowledge base pages: list with search and filters, article with versions, publish, forms,
the panel on a case with suggestions (best match first) and linking."""

import pytest
from django.test import Client

from vinculo.service.knowledge import selectors
from vinculo.service.models import Case


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def printer(agent_api):
    return agent_api.post("knowledge-articles", {
        "title": "Printer does not print after the update",
        "body": "# Fix\n\n1. Restart the printer\n2. Reinstall the **driver**\n\n"
                "<script>alert(1)</script> [evil](javascript:alert(1)) [ok](https://ex.com)",
        "status": "published", "public": True, "language": "en"}).json()


@pytest.fixture
def many(agent_api, printer):
    for title, body, lang in [
        ("Invoice shows the wrong tax", "Tax rates per country on invoices.", "en"),
        ("Reset your password", "Use the forgotten password link.", "en"),
        ("La impresora no imprime", "Reinicie la impresora y el controlador.", "es"),
        ("Printer paper sizes", "Letter and A4 paper for the printer.", "en"),
    ]:
        agent_api.post("knowledge-articles", {"title": title, "body": body, "language": lang,
                                              "status": "published"})


def test_list_search_and_filters(agent, many):
    c = client_for(agent)
    r = c.get("/knowledge/")
    assert r.status_code == 200 and b"Reset your password" in r.content
    r = c.get("/knowledge/", {"q": "impresora"})
    assert b"La impresora no imprime" in r.content and b"Reset your password" not in r.content
    r = c.get("/knowledge/", {"language": "es"})
    assert b"La impresora" in r.content and b"Invoice shows" not in r.content


def test_detail_renders_markdown_safely(agent, rep, printer):
    r = client_for(rep).get(f"/knowledge/{printer['id']}/")
    html = r.content.decode()
    assert "<strong>driver</strong>" in html and "<ol>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html and 'href="https://ex.com"' in html


def test_publish_from_the_page_and_versions(agent, rep, printer):
    c = client_for(agent)
    r = c.get(f"/knowledge/{printer['id']}/edit/")
    assert r.status_code == 200
    from vinculo.platform import records
    from vinculo.service.knowledge.models import Article

    article = Article.objects.get(pk=printer["id"])
    records.update(article, {"title": "Printer stopped printing"}, actor=agent)
    assert b"Printer does not print" in client_for(rep).get(f"/knowledge/{article.pk}/").content
    assert b"You are looking at the draft" in c.get(f"/knowledge/{article.pk}/").content
    r = c.post(f"/knowledge/{article.pk}/publish/")
    assert r.status_code == 302
    assert b"Printer stopped printing" in client_for(rep).get(f"/knowledge/{article.pk}/").content
    assert c.get(f"/knowledge/{article.pk}/versions/1/").status_code == 200
    # a sales rep may not publish
    assert client_for(rep).post(f"/knowledge/{article.pk}/publish/").status_code == 403


def test_create_from_the_form(agent):
    c = client_for(agent)
    assert c.get("/knowledge/new/").status_code == 200
    r = c.post("/knowledge/new/", {"title": "Shipping times", "body": "2 days",
                                   "language": "es", "status": "draft"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert c.get(r["Location"], follow=True).status_code == 200


def test_drafts_hidden_from_readers_pages(agent_api, rep):
    draft = agent_api.post("knowledge-articles", {"title": "Unreleased feature"}).json()
    c = client_for(rep)
    assert c.get(f"/knowledge/{draft['id']}/").status_code == 404
    assert b"Unreleased feature" not in c.get("/knowledge/").content


def test_suggestions_rank_the_right_article_first(agent, many, printer):
    case = Case.objects.create(subject="My printer will not print anymore",
                               description="Since the update the printer driver fails.")
    found = selectors.suggestions(agent, case)
    assert found[0].article.pk == printer["id"]
    es_case = Case.objects.create(subject="Mi impresora no imprime",
                                  description="Hola, la impresora no funciona.")
    found = selectors.suggestions(agent, es_case)
    assert found[0].article.title == "La impresora no imprime"
    assert selectors.case_language(es_case) == "es"


def test_case_panel_link_and_api(agent, agent_api, rep_api, many, printer):
    r = agent_api.post("cases", {"subject": "Printer not printing", "description": "driver?"})
    case_id = r.json()["id"]
    c = client_for(agent)
    page = c.get(f"/cases/{case_id}/").content.decode()
    assert "Suggested articles" in page and "Printer does not print" in page
    r = agent_api.get(f"cases/{case_id}/suggested-articles")
    assert r.json()["items"][0]["id"] == printer["id"]
    assert r.json()["items"][0]["portal_url"].endswith(f"/portal/articles/{printer['id']}/")
    r = c.post(f"/cases/{case_id}/articles/", {"article_id": printer["id"]})
    assert r.status_code == 302
    linked = agent_api.get(f"cases/{case_id}/articles").json()["items"]
    assert [a["id"] for a in linked] == [printer["id"]]
    # linked articles leave the suggestions
    ids = [s["id"] for s in agent_api.get(f"cases/{case_id}/suggested-articles").json()["items"]]
    assert printer["id"] not in ids
    # API link / unlink, bad ids, another user's case
    assert agent_api.post(f"cases/{case_id}/articles", {"article_id": 10**9}).status_code == 422
    assert rep_api.post(f"cases/{case_id}/articles",
                        {"article_id": printer["id"]}).status_code == 404
    assert agent_api.delete(f"cases/{case_id}/articles/{printer['id']}").status_code == 204
    assert agent_api.delete(f"cases/{case_id}/articles/{printer['id']}").status_code == 404
    r = agent_api.post(f"cases/{case_id}/articles", {"article_id": printer["id"]})
    assert r.status_code == 201
    r = agent_api._call("delete", f"cases/{case_id}/articles", {"article_id": printer["id"]})
    assert r.status_code == 204
