from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

ERROR_EMAIL_MANAGED = _("Sign-in addresses come from HR's records: ask HR to correct yours.")

SIGNUP_CLOSED = _(
    "Accounts are created by HR from the staff list: sign in with the invitation you received by email, or ask HR."
)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_not_required
def wagtail_login(request):
    """Wagtail's own login forms (the admin's, and the front end's for private pages) would bypass
    allauth (its MFA and rate limits), so send people to allauth's. Someone already signed in lands
    here only when they lack access: refuse, don't loop."""
    if request.user.is_authenticated:
        raise PermissionDenied
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("account_login") + (f"?{query}" if query else ""))


@login_not_required
def signup_closed(request):
    """Nobody signs themselves up (accounts come from the roster): allauth's sign-up page would
    only say "closed", so send people to the sign-in page with the reason instead."""
    if request.user.is_authenticated:
        return redirect("/")
    messages.info(request, SIGNUP_CLOSED)
    return redirect("account_login")


@require_http_methods(["GET", "POST"])
def sign_in_email(request):
    """In place of allauth's email management: an address someone adds themselves would sign
    them in and block its real owner's roster import. Addresses come from the roster (or SSO)."""
    refused = ERROR_EMAIL_MANAGED if request.method == "POST" else None
    return render(request, "account/email.html", {"refused": refused}, status=403 if refused else 200)
