"""The People & training menu: employees, requirements, assignments, the roster import and email changes, and what the admin may never delete."""

from django.utils.translation import gettext_lazy
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy

from training.permissions import AppendOnlyPermissionPolicy

from ...models import Assignment, Employee, IdentityChange, Requirement
from .assignments import AssignmentViewSet
from .employees import EmployeeViewSet
from .identity_changes import IdentityChangeViewSet
from .requirements import RequirementViewSet
from .roster_import import RosterImportViewSet

# Records are evidence: employees come and go through the roster, requirements are switched off
# rather than deleted, assignments are exempted or cancelled rather than deleted.
register_permission_policy(Employee, AppendOnlyPermissionPolicy(Employee, allowed_actions=("change", "view")))


register_permission_policy(
    Requirement, AppendOnlyPermissionPolicy(Requirement, allowed_actions=("add", "change", "view"))
)


register_permission_policy(Assignment, AppendOnlyPermissionPolicy(Assignment, allowed_actions=("change", "view")))


register_permission_policy(IdentityChange, AppendOnlyPermissionPolicy(IdentityChange, allowed_actions=("view",)))


class PeopleViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("People & training")
    menu_icon = "group"
    menu_order = 200
    items = (
        EmployeeViewSet("employees"),
        RequirementViewSet("requirements"),
        AssignmentViewSet("assignments"),
        RosterImportViewSet("roster_import"),
        IdentityChangeViewSet("identity_changes"),
    )
