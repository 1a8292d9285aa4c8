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


@pytest.fixture(scope="session", autouse=True)
def migrated_data(django_db_setup, django_db_blocker):
    """The rows migrations create (site root, locales, roles), taken before any transactional test
    can flush them; browser tests put them back (tests/e2e/conftest.py)."""
    from django.db import connection

    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()
