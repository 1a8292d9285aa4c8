"""People & training, HR's part of the admin: employees, requirements, assignments (with
exemptions) and the roster import.

Only people with the ``attest`` permissions (the HR role) see these menus or reach these views;
policy editors and legal reviewers do not. People come from the roster: nobody adds or deletes
an employee, assignment or requirement by hand, because the records are evidence."""

from .assignments import AssignmentExemptView, AssignmentFilterSet, AssignmentIndexView, AssignmentViewSet
from .employees import MESSAGE_EMAIL_PENDING, EmployeeEditView, EmployeeFilterSet, EmployeeIndexView, EmployeeViewSet
from .identity_changes import (
    IdentityChangeDecideView,
    IdentityChangeFilterSet,
    IdentityChangeIndexView,
    IdentityChangeViewSet,
)
from .log_formatters import (
    ExemptionLogFormatter,
    IdentityChangeLogFormatter,
    IdentityChangeRejectLogFormatter,
    IdentityChangeRequestLogFormatter,
    RosterImportLogFormatter,
)
from .people import PeopleViewSetGroup
from .requirements import RequirementCreateView, RequirementEditView, RequirementSyncMixin, RequirementViewSet
from .roster_import import (
    ROSTER_PERMISSIONS,
    ROSTER_PREVIEW_ERRORS,
    ROSTER_SESSION_KEY,
    RosterConfirmView,
    RosterImportMixin,
    RosterImportViewSet,
    RosterUploadView,
)

__all__ = [
    "AssignmentExemptView",
    "AssignmentFilterSet",
    "AssignmentIndexView",
    "AssignmentViewSet",
    "EmployeeEditView",
    "EmployeeFilterSet",
    "EmployeeIndexView",
    "EmployeeViewSet",
    "ExemptionLogFormatter",
    "IdentityChangeDecideView",
    "IdentityChangeFilterSet",
    "IdentityChangeIndexView",
    "IdentityChangeLogFormatter",
    "IdentityChangeRejectLogFormatter",
    "IdentityChangeRequestLogFormatter",
    "IdentityChangeViewSet",
    "MESSAGE_EMAIL_PENDING",
    "PeopleViewSetGroup",
    "ROSTER_PERMISSIONS",
    "ROSTER_PREVIEW_ERRORS",
    "ROSTER_SESSION_KEY",
    "RequirementCreateView",
    "RequirementEditView",
    "RequirementSyncMixin",
    "RequirementViewSet",
    "RosterConfirmView",
    "RosterImportLogFormatter",
    "RosterImportMixin",
    "RosterImportViewSet",
    "RosterUploadView",
]
