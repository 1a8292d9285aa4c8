"""The company name and HR contact in every page's header and footer: cached, never stale."""

import threading

import pytest
from django.core.cache import cache
from django.test import Client
from wagtail.models import Site

from cms.cache import RedisCache
from cms.context_processors import COMPANY_CACHE_VERSION_KEY, _company
from cms.models import CompanySettings
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of_employee(db):
    person = factories.employee()
    client = Client()
    client.force_login(person.user)
    return client


def rename_company(name):
    settings = CompanySettings.for_site(Site.objects.get(is_default_site=True))
    settings.company_name = name
    settings.save()


def test_renaming_the_company_shows_on_the_next_page(client_of_employee):
    rename_company("Fjord Outfitters")
    assert "Fjord Outfitters" in client_of_employee.get("/").content.decode()
    rename_company("Fjell & Fjord AS")
    page = client_of_employee.get("/").content.decode()
    assert "Fjell &amp; Fjord AS" in page
    assert "Fjord Outfitters ·" not in page


def test_a_change_after_the_cache_was_emptied_still_shows(client_of_employee):
    """A process's copy taken before the cache was emptied (Redis restarted) must not match
    the version written afterwards."""
    rename_company("Before Restart Ltd")
    assert "Before Restart Ltd" in client_of_employee.get("/").content.decode()
    cache.clear()
    rename_company("After Restart Ltd")
    assert "After Restart Ltd" in client_of_employee.get("/").content.decode()


def test_the_chrome_costs_no_query_once_known(client_of_employee, django_assert_num_queries):
    request = client_of_employee.get("/").wsgi_request
    with django_assert_num_queries(0):
        assert _company(request)["name"] == "Northwind Outfitters"


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    backend = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "test-chrome"})
    yield backend
    backend.clear()


def test_redis_cache_reuses_one_client_and_works_across_threads(redis_cache):
    redis_cache.set("answer", {"value": 42}, 30)
    client = redis_cache._cache.get_client("answer")
    assert redis_cache._cache.get_client("other") is client
    results = []

    def read():
        results.append(redis_cache.get("answer"))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"value": 42}] * 8
    assert redis_cache.get_or_set("missing", "made", 30) == "made"
    assert redis_cache.add("counter", 1)
    assert redis_cache.incr("counter") == 2


def test_the_version_changes_again_when_the_change_commits(client_of_employee, django_capture_on_commit_callbacks):
    """A page drawn between the save and the commit reads the old row under the new version;
    the second change at commit makes that copy stale."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rename_company("Mid Commit AS")
        during = cache.get(COMPANY_CACHE_VERSION_KEY)
    for callback in callbacks:
        callback()
    assert cache.get(COMPANY_CACHE_VERSION_KEY) not in (None, during)
