"""Deletes the admin must refuse: pages and people that records which are never deleted refer to
(released versions, reading progress, quiz attempts, attestations, all through PROTECT foreign
keys). Refused with a message before the confirmation page, instead of a 500 after it."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import router
from django.db.models import Q
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.utils import get_user_display_name, get_valid_next_url_from_request
from wagtail.models import Page

from . import company

ERROR_PAGE_KEEPS_RECORDS = _(
    "“%(title)s” cannot be deleted: released policy versions or employees' training records refer "
    "to it or to a page below it, and those records are kept for good."
)
ERROR_USER_KEEPS_RECORDS = _(
    "“%(user)s” cannot be deleted: their training and attestation records are kept for good. "
    "Make the account inactive instead."
)


def kept_by_records(objects) -> bool:
    """Whether deleting ``objects`` would take records that PROTECT (or RESTRICT) them: asked of
    Django's own deletion collector, so every such foreign key counts, now and later."""
    collector = Collector(using=router.db_for_write(Page))
    try:
        collector.collect(objects)
    except (ProtectedError, RestrictedError):
        return True
    return False


def _page_trees(page: Page):
    """What deleting ``page`` deletes: it and everything below it, and the same for each of its
    translations (the admin deletes those along with it)."""
    trees = Q()
    for root in (page, *page.get_translations()):
        trees |= Q(path__startswith=root.path)
    return Page.objects.filter(trees)


@hooks.register("before_delete_page")
def refuse_to_delete_pages_with_records(request, page):
    if kept_by_records(_page_trees(page)):
        messages.error(request, ERROR_PAGE_KEEPS_RECORDS % {"title": page.get_admin_display_title()})
        return redirect(
            get_valid_next_url_from_request(request) or reverse("wagtailadmin_explore", args=[page.get_parent().id])
        )
    return None


@hooks.register("before_delete_user")
def refuse_to_delete_users_with_records(request, user):
    if kept_by_records([user]):
        messages.error(request, ERROR_USER_KEEPS_RECORDS % {"user": get_user_display_name(user)})
        return redirect(get_valid_next_url_from_request(request) or reverse("wagtailusers_users:index"))
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_deletes_of_kept_pages_and_users(request, action_type, objects, action_class_instance):
    if action_type != "delete":
        return None
    refused = []
    for obj in objects:
        if isinstance(obj, Page) and kept_by_records(_page_trees(obj)):
            refused.append(ERROR_PAGE_KEEPS_RECORDS % {"title": obj.get_admin_display_title()})
        elif isinstance(obj, get_user_model()) and kept_by_records([obj]):
            refused.append(ERROR_USER_KEEPS_RECORDS % {"user": get_user_display_name(obj)})
    for message in refused:
        messages.error(request, message)
    return redirect(action_class_instance.next_url or reverse("wagtailadmin_home")) if refused else None


hooks.register("company_details", company.company_details)
hooks.register("crisis_contacts", company.crisis_contacts)
