"""Test settings: fast hashing, in-memory mail and cache, tasks run immediately."""

from .dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ACCOUNT_RATE_LIMITS = False  # tests that exercise rate limits switch them on themselves
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
XAPI_LRS_ENDPOINT = ""  # tests that send xAPI statements point it at their own store
