"""Settings shared by every environment; safe for production on their own.

Secrets and hosts come from the environment. ``dev`` and ``test`` relax what they must.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "cms",
    "training",
    "attest",
    "attest.scim",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "cms.apps.WagtailUsersConfig",  # wagtail.users, with the employee-email rule (cms/users.py)
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.EmployeeLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cms.middleware.StaffTwoFactorMiddleware",
    "cms.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_chrome",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") == "1":
    # Used by the views that attest.db.prepared_statements marks; set the variable to 0 behind a
    # connection pooler in transaction mode, which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "cms.adapters.NoSignupAccountAdapter"
SOCIALACCOUNT_ADAPTER = "cms.adapters.RosterSocialAccountAdapter"
# Employees cannot add sign-in addresses (cms.views.sign_in_email replaces allauth's page): one each.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Reverse proxies in front of the app servers that append the address they saw to
# X-Forwarded-For (nginx: $proxy_add_x_forwarded_for). Rate limits and the signer's recorded IP
# take the Nth address from the right; 0 (nothing in front) takes the socket address and ignores
# the header, which a client can write.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
}
# Single sign-on through the organisation's OpenID Connect provider (Entra ID, Okta, Google
# Workspace, Keycloak...), when SSO_OIDC_SERVER_URL is set. Accounts still come from the roster
# only: the provider's verified email must match an employee's, and nobody is signed up.
SSO_PROVIDER_ID = "sso"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": SSO_PROVIDER_ID,
                "name": os.environ.get("SSO_OIDC_NAME", "Single sign-on"),
                "client_id": os.environ.get("SSO_OIDC_CLIENT_ID", ""),
                "secret": os.environ.get("SSO_OIDC_CLIENT_SECRET", ""),
                "settings": {
                    "server_url": os.environ["SSO_OIDC_SERVER_URL"],
                    "token_auth_method": "client_secret_basic",
                },
            }
        ]
        if os.environ.get("SSO_OIDC_SERVER_URL")
        else [],
    }
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
STAFF_REQUIRE_MFA = True
MFA_TOTP_ISSUER = "Policy training"

WAGTAIL_SITE_NAME = "Policy training & attestation"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "/admin/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("da", "Dansk"),
    ("nb", "Norsk bokmål"),
]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_FINDERS = []
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.images.ImageForm"  # a file that does not decode is a form error, not a 500
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "csv", "txt"]

LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Signed checkpoints of the attestation chain, outside the database: an append-only
    # directory by default, read-only files; an object-locked bucket in production (README).
    "checkpoints": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("ATTEST_CHECKPOINT_DIR", BASE_DIR / "checkpoints"),
            "file_permissions_mode": 0o444,
        },
    },
}
# Media (Wagtail images and documents) on S3-compatible storage (AWS S3, MinIO, Ceph, R2...)
# when a bucket is named, which several app servers need; otherwise on local disk (MEDIA_ROOT).
# Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the instance's role).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE") or None
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "media")
    AWS_DEFAULT_ACL = None  # the bucket's own policy applies: private
    AWS_QUERYSTRING_AUTH = True  # links are signed and expire
    AWS_QUERYSTRING_EXPIRE = int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "3600"))
    AWS_S3_FILE_OVERWRITE = False
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Policy training <training@localhost>")

SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Product knobs (documented in the README).
ATTEST_ESCALATE_AFTER_DAYS = int(os.environ.get("ATTEST_ESCALATE_AFTER_DAYS", "7"))
ATTEST_REMIND_DAYS_BEFORE = int(os.environ.get("ATTEST_REMIND_DAYS_BEFORE", "7"))
ATTEST_CHAIN_LANES = 16
# Checkpoints (README, "Checkpoints"): the Ed25519 signing key, as a PEM file path or as PEM
# text, never stored in the database; old public keys (PEM files, separated by ":") stay
# trusted after a rotation.
ATTEST_CHECKPOINT_KEY_FILE = os.environ.get("ATTEST_CHECKPOINT_KEY_FILE", "")
ATTEST_CHECKPOINT_PRIVATE_KEY = os.environ.get("ATTEST_CHECKPOINT_PRIVATE_KEY", "")
ATTEST_CHECKPOINT_PUBLIC_KEYS = [p for p in os.environ.get("ATTEST_CHECKPOINT_PUBLIC_KEYS", "").split(":") if p]
# A checkpoint follows new records after this delay; verification fails for records older than
# the grace period that no checkpoint covers.
ATTEST_CHECKPOINT_DELAY_SECONDS = int(os.environ.get("ATTEST_CHECKPOINT_DELAY_SECONDS", "180"))
ATTEST_CHECKPOINT_GRACE_MINUTES = int(os.environ.get("ATTEST_CHECKPOINT_GRACE_MINUTES", "30"))
# Roster files: how big they may be, and how long one waits (in the database) for confirmation.
ATTEST_ROSTER_MAX_ROWS = int(os.environ.get("ATTEST_ROSTER_MAX_ROWS", "200000"))
ATTEST_ROSTER_MAX_COLUMNS = int(os.environ.get("ATTEST_ROSTER_MAX_COLUMNS", "64"))
ATTEST_ROSTER_MAX_CELLS = int(os.environ.get("ATTEST_ROSTER_MAX_CELLS", "5000000"))
ATTEST_ROSTER_XLSX_MAX_PART_BYTES = int(os.environ.get("ATTEST_ROSTER_XLSX_MAX_PART_BYTES", str(50 * 1024 * 1024)))
ATTEST_ROSTER_XLSX_MAX_UNPACKED_BYTES = int(
    os.environ.get("ATTEST_ROSTER_XLSX_MAX_UNPACKED_BYTES", str(300 * 1024 * 1024))
)
ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS = int(os.environ.get("ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS", "24"))

# SCIM provisioning (README, "SCIM provisioning"): requests a minute per token; where the location
# and the track come from; defaults for new people whose provider sends no department or location;
# whether new people get an invitation email.
ATTEST_SCIM_RATE_LIMIT = int(os.environ.get("ATTEST_SCIM_RATE_LIMIT", "600"))
ATTEST_SCIM_LOCATION_ATTRIBUTE = os.environ.get("ATTEST_SCIM_LOCATION_ATTRIBUTE", 'addresses[type eq "work"].locality')
ATTEST_SCIM_TRACK_ATTRIBUTE = os.environ.get("ATTEST_SCIM_TRACK_ATTRIBUTE", "")
ATTEST_SCIM_OFFICIAL_VALUES = [
    v.strip() for v in os.environ.get("ATTEST_SCIM_OFFICIAL_VALUES", "official,true").split(",") if v.strip()
]
ATTEST_SCIM_DEFAULT_DEPARTMENT = os.environ.get("ATTEST_SCIM_DEFAULT_DEPARTMENT", "")
ATTEST_SCIM_DEFAULT_LOCATION = os.environ.get("ATTEST_SCIM_DEFAULT_LOCATION", "")
ATTEST_SCIM_SEND_INVITATIONS = os.environ.get("ATTEST_SCIM_SEND_INVITATIONS", "1") == "1"
# The REST API at /api/v1/ (attest/api): bearer tokens only, read-only, rate limited per token in
# the cache (shared by every app server when it is Redis). ATTEST_API_RATE: requests per token.
REST_FRAMEWORK = {
    # Only this API's views use these (attest.api.views.ApiEndpoint sets its authentication,
    # permissions, throttle and pagination itself: Wagtail's admin API keeps DRF's defaults).
    "DEFAULT_THROTTLE_RATES": {"api_token": os.environ.get("ATTEST_API_RATE", "600/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Policy training & attestation API",
    "DESCRIPTION": "Read-only access to people, requirements, policy versions, attestations and compliance "
    "figures. Send a token HR created as `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["attest.api.schema.only_this_api"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"AssignmentStatusEnum": "attest.status.AssignmentStatus"},
}

# Wagtail's live preview shows the page in a same-origin frame, so SAMEORIGIN (not DENY) is deliberate.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
# xAPI 1.0.3 statements to a learning record store (README, "Learning record store (xAPI)"):
# nothing is recorded or sent while the endpoint is empty.
XAPI_LRS_ENDPOINT = os.environ.get("XAPI_LRS_ENDPOINT", "")
XAPI_LRS_KEY = os.environ.get("XAPI_LRS_KEY", "")
XAPI_LRS_SECRET = os.environ.get("XAPI_LRS_SECRET", "")
XAPI_LRS_TIMEOUT_SECONDS = float(os.environ.get("XAPI_LRS_TIMEOUT_SECONDS", "10"))
XAPI_BATCH_SIZE = int(os.environ.get("XAPI_BATCH_SIZE", "100"))
XAPI_RETRY_BASE_SECONDS = int(os.environ.get("XAPI_RETRY_BASE_SECONDS", "30"))
XAPI_RETRY_MAX_SECONDS = int(os.environ.get("XAPI_RETRY_MAX_SECONDS", str(6 * 60 * 60)))
