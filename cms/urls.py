from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from attest.urls import employee as attest_urls
from attest.views.employee import verify

from .views import healthz, sign_in_email, signup_closed, wagtail_login

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("attest.api.urls")),
    path("admin/login/", wagtail_login, name="admin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/signup/", signup_closed, name="signup_closed"),
    path("accounts/email/", sign_in_email, name="account_email"),  # before allauth's: see the view
    path("accounts/", include("allauth.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("verify/<str:code>/", verify, name="verify"),
    path("training/", include(attest_urls)),
    path("team/", include("attest.urls.team")),
    path("scim/v2/", include("attest.scim.urls")),
    path("_util/login/", wagtail_login, name="frontend_login"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))
