"""The staff roles, their permissions and the legal review workflow, kept in sync on every migrate."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

HR = "HR"
POLICY_EDITORS = "Policy editors"
LEGAL_REVIEWERS = "Legal reviewers"
SOCIAL_MEDIA_LEADS = "Social-media leads"
STAFF_ROLES = (HR, POLICY_EDITORS, LEGAL_REVIEWERS, SOCIAL_MEDIA_LEADS)
LEGAL_REVIEW_WORKFLOW = "Legal review"

OFFICIAL_ACCOUNT_PERMISSIONS = [
    "attest.add_officialaccount",
    "attest.change_officialaccount",
    "attest.view_officialaccount",
    "attest.change_accessremovaltask",
    "attest.view_accessremovaltask",
]
MODEL_PERMISSIONS = {
    HR: [
        "wagtailadmin.access_admin",
        "attest.add_employee",
        "attest.change_employee",
        "attest.view_employee",
        "attest.view_identitychange",
        "attest.add_requirement",
        "attest.change_requirement",
        "attest.view_requirement",
        "attest.view_assignment",
        "attest.change_assignment",
        "attest.view_attestation",
        "attest.view_decline",
        "attest.change_decline",
        "attest.view_reminderlog",
        "training.view_policyversion",
        "training.view_xapistatement",
        "training.change_xapistatement",
        "attest.add_apitoken",
        "attest.view_apitoken",
        "attest.revoke_apitoken",
        "training.view_chapterquestion",
        "training.change_chapterquestion",
        "cms.change_companysettings",
        "cms.add_crisiscontact",
        "cms.change_crisiscontact",
        "cms.delete_crisiscontact",
        "scim.add_scimtoken",
        "scim.change_scimtoken",
        "scim.view_scimtoken",
        *OFFICIAL_ACCOUNT_PERMISSIONS,
    ],
    POLICY_EDITORS: [
        "wagtailadmin.access_admin",
        "training.view_policyversion",
        "cms.add_crisiscontact",
        "cms.change_crisiscontact",
    ],
    LEGAL_REVIEWERS: [
        "wagtailadmin.access_admin",
        "training.add_policyversion",
        "training.view_policyversion",
        "attest.view_decline",
        "attest.change_decline",
        "training.view_chapterquestion",
        "training.change_chapterquestion",
    ],
    # The register of official accounts, its holders, reviews and leavers' tasks; not HR's reports.
    SOCIAL_MEDIA_LEADS: ["wagtailadmin.access_admin", *OFFICIAL_ACCOUNT_PERMISSIONS],
}
# Wagtail checks image permissions per collection, never on the group itself.
COLLECTION_PERMISSIONS = {
    POLICY_EDITORS: ["wagtailimages.add_image", "wagtailimages.change_image", "wagtailimages.choose_image"],
    LEGAL_REVIEWERS: ["wagtailimages.choose_image"],
}
PAGE_PERMISSIONS = {
    POLICY_EDITORS: ["add_page", "change_page", "lock_page"],
    LEGAL_REVIEWERS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def roles_sync() -> None:
    """Create the staff groups with exactly their permissions (on models, the page tree and the
    image collections), and the legal review workflow. Idempotent; runs after every ``migrate``."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    root = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    groups = {}
    for name in STAFF_ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(dotted) for dotted in MODEL_PERMISSIONS[name]])
        groups[name] = group
        if root_collection:
            for dotted in COLLECTION_PERMISSIONS.get(name, []):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=_permission(dotted)
                )
        if root:
            for codename in PAGE_PERMISSIONS.get(name, []):
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=_permission(f"wagtailcore.{codename}")
                )
    if root is None:
        return
    task, _created = GroupApprovalTask.objects.get_or_create(name=str(_("Legal approval")))
    task.groups.set([groups[LEGAL_REVIEWERS]])
    workflow, _created = Workflow.objects.get_or_create(name=LEGAL_REVIEW_WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
