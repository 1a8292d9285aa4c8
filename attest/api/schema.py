"""The published schema covers this API only (Wagtail's admin API also runs on DRF)."""

API_PREFIX = "/api/v1/"


def only_this_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]
