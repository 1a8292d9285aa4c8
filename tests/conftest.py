import pytest

from tests import factories


@pytest.fixture
def policy(db):
    return factories.published_policy()


@pytest.fixture
def version(policy):
    return factories.release(policy)


@pytest.fixture
def emma(db):
    return factories.employee("Emma", "Wilson")


@pytest.fixture
def emma_assignment(emma, version):
    return factories.assignment(emma, version)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached fragments live in the cache; keep tests independent."""
    from django.core.cache import cache

    cache.clear()
    yield
