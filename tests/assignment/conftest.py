import pytest

from tests.conftest import make_user


@pytest.fixture
def reps(db):
    """Four sales reps in the team North, and one in South."""
    north = [make_user(f"north{i}", "sales", teams=["North"]) for i in range(4)]
    south = make_user("south0", "sales", teams=["South"])
    return {"north": north, "south": south}


@pytest.fixture
def team_ids(reps):
    from vinculo.identity.models import Team

    return dict(Team.objects.values_list("name", "pk"))
