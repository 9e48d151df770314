"""Two people move the same card at the same moment (PostgreSQL, real threads): one move
wins, the other gets 412 naming the winner, and the history has one move."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import api_for, make_user
from tests.platform.conftest import needs_postgres
from tests.platform.test_concurrency import in_threads
from vinculo.platform import records

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_users_move_the_same_card_at_once():
    from vinculo.sales.pipeline.models import Opportunity, Pipeline, StageChange

    rep = make_user("rita", "sales", teams=["Iberia"])
    manager = make_user("maria", "manager", teams=["Iberia"])
    stages = {s.name: s for s in Pipeline.objects.get(is_default=True).stages.all()}
    deal = records.create("opportunities", {"name": "Contested", "amount": "10"}, actor=rep)
    clients = {"Proposal": api_for(rep), "Negotiation": api_for(manager)}
    started = threading.Barrier(2, timeout=10)

    def move(stage):
        def call():
            started.wait()
            return clients[stage].post(f"opportunities/{deal.pk}/move",
                                       {"stage_id": stages[stage].pk, "version": deal.version})
        return call

    responses = in_threads(move("Proposal"), move("Negotiation"))
    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 412).json()
    assert loser["stage_id"] == winner["stage_id"] and loser["version"] == winner["version"]
    who = "rita" if winner["stage_id"] == stages["Proposal"].pk else "maria"
    assert f"moved by {who} meanwhile" in loser["detail"]
    deal = Opportunity.objects.get(pk=deal.pk)
    assert deal.stage_id == winner["stage_id"] and deal.version == 2
    assert StageChange.objects.filter(opportunity=deal).count() == 2
