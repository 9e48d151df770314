import pytest


@pytest.fixture
def customer(db, admin, rep):
    from vinculo.platform import records

    return records.create("contacts", {"first_name": "Lola", "last_name": "Puntos",
                                       "email": "lola@example.com", "owner_id": rep.pk},
                          actor=admin)


@pytest.fixture
def programme(db):
    from vinculo.channels.loyalty import services

    return services.programme_update({
        "points_per_unit": 1, "review_points": 50, "referral_points": 200,
        "mention_points": 20, "expiry_months": 12,
        "tiers": [{"name": "Bronze", "threshold": 0}, {"name": "Silver", "threshold": 300},
                  {"name": "Gold", "threshold": 1000}]})
