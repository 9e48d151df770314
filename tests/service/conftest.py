import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import api_for, make_user


class FixedClock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock(monkeypatch):
    """A fixed `timezone.now()`: Monday 23 November 2026 10:00 in Madrid."""
    from vinculo.activities.models import Activity

    fixed = FixedClock(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC))
    monkeypatch.setattr(timezone, "now", fixed)
    # the field kept the real `timezone.now` as its default when the model was defined
    monkeypatch.setattr(Activity._meta.get_field("occurred_at"), "_get_default", fixed)
    return fixed


@pytest.fixture
def agent(db):
    return make_user("ana", "service")


@pytest.fixture
def agent2(db):
    return make_user("bea", "service")


@pytest.fixture
def agent_api(agent):
    return api_for(agent)


@pytest.fixture
def agent2_api(agent2):
    return api_for(agent2)


@pytest.fixture
def calendar(admin_api):
    r = admin_api.post("calendars", {
        "name": "Madrid office", "time_zone": "Europe/Madrid",
        "hours": {str(d): [["09:00", "17:00"]] for d in range(5)},
        "holidays": ["2026-12-25"]})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def policy(admin_api, calendar):
    r = admin_api.post("sla-policies", {
        "name": "Normal", "priority": "normal", "first_response_minutes": 60,
        "resolution_minutes": 480, "calendar_id": calendar["id"]})
    assert r.status_code == 201, r.content
    return r.json()
