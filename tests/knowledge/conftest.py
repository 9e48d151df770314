import pytest

from tests.conftest import api_for, make_user


@pytest.fixture
def agent(db):
    return make_user("ana", "service")


@pytest.fixture
def agent_api(agent):
    return api_for(agent)


@pytest.fixture
def billing(admin_api):
    r = admin_api.post("knowledge-categories", {"name": "Billing", "name_es": "Facturación"})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def article(agent_api, billing):
    r = agent_api.post("knowledge-articles", {
        "title": "How to change your billing address",
        "body": "Open **Settings** and then *Billing*.", "language": "en",
        "status": "published", "public": True, "category": "Billing"})
    assert r.status_code == 201, r.content
    return r.json()
