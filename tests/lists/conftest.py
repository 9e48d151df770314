"""A small world for lists: contacts with and without consent, owned by two reps."""

from __future__ import annotations

import pytest


@pytest.fixture
def people(db, admin, rep, other_rep):
    from vinculo.platform import records

    acme = records.create("accounts", {"name": "Acme SL", "city": "Madrid", "country": "ES"},
                          actor=admin)
    rows = [
        # first, email, city, country, opt-in, do-not-contact, owner
        ("Lucía", "lucia@example.com", "Madrid", "ES", True, False, rep),
        ("Pedro", "pedro@example.com", "Madrid", "ES", False, False, rep),
        ("Marta", "marta@example.com", "Lima", "PE", True, True, rep),
        ("Juan", "juan@example.com", "Lima", "PE", True, False, rep),
        ("Oscarina", "oscarina@example.com", "Madrid", "ES", True, False, other_rep),
    ]
    out = {}
    for first, email, city, country, opt_in, dnc, owner in rows:
        out[first] = records.create("contacts", {
            "first_name": first, "last_name": "Prueba", "email": email, "city": city,
            "country": country, "email_opt_in": opt_in, "do_not_contact": dnc,
            "street": "Calle Mayor 1", "postal_code": "28001", "owner_id": owner.pk,
            "account_id": acme.pk, "tags": ["vip", "fair"] if first == "Lucía" else []},
            actor=admin)
    return out
