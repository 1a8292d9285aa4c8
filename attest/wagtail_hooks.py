"""Registers attest's admin with Wagtail (the views live in ``attest/admin/``): People & training,
the Compliance area, signed records, quiz attempts and the audit log's wording."""

from functools import partial

from django.db import transaction
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .admin.api_tokens import ApiTokenCreatedLogFormatter, ApiTokenRevokedLogFormatter, ApiTokenViewSet
from .admin.declines import DeclineLogFormatter, DeclineRespondView, DeclineResponseLogFormatter, DeclineViewSet
from .admin.hr_actions import ReminderLogFormatter
from .admin.official_accounts import (
    AccessGrantLogFormatter,
    AccessRemoveLogFormatter,
    AccessReviewLogFormatter,
    LeaverTasksPanel,
)
from .admin.people import (
    ExemptionLogFormatter,
    IdentityChangeLogFormatter,
    IdentityChangeRejectLogFormatter,
    IdentityChangeRequestLogFormatter,
    PeopleViewSetGroup,
    RosterImportLogFormatter,
)
from .admin.quiz_attempts import QuizAttemptsLogFormatter, QuizAttemptsView
from .admin.records import AttestationViewSet
from .admin.reports import ComplianceMenuItem
from .admin.xapi import XapiStatementViewSet
from .api.tokens import LOG_CREATED, LOG_REVOKED
from .declines.services import LOG_DECLINED, LOG_RESPONDED
from .identity import (
    LOG_APPLIED,
    LOG_REJECTED,
    LOG_REQUESTED,
)
from .official_accounts.admin import RECORD_REMOVAL, OfficialAccountsViewSetGroup
from .official_accounts.selectors import open_removal_task_count
from .official_accounts.services import LOG_GRANT, LOG_REMOVE, LOG_REVIEW
from .services.hr_actions import LOG_REMIND
from .tasks import notify_question_answered, sync_assignments
from .views import hr as views_hr
from .views import reports as views_reports


@hooks.register("register_admin_viewset")
def register_api_tokens():
    return ApiTokenViewSet("api_tokens")


@hooks.register("register_log_actions")
def register_api_token_log_actions(actions):
    actions.register_action(LOG_CREATED)(ApiTokenCreatedLogFormatter)
    actions.register_action(LOG_REVOKED)(ApiTokenRevokedLogFormatter)


@hooks.register("register_admin_viewset")
def register_declines():
    return DeclineViewSet("declines")


@hooks.register("register_admin_urls")
def register_decline_urls():
    return [path("declines/<int:pk>/respond/", DeclineRespondView.as_view(), name="decline_respond")]


@hooks.register("register_log_actions")
def register_decline_log_actions(actions):
    actions.register_action(LOG_DECLINED)(DeclineLogFormatter)
    actions.register_action(LOG_RESPONDED)(DeclineResponseLogFormatter)


@hooks.register("register_admin_urls")
def register_hr_action_urls():
    return [
        path("compliance/people/", views_hr.admin_people, name="attest_compliance_people"),
        path("compliance/remind/", views_hr.remind, name="attest_compliance_remind"),
        path("compliance/exempt/", views_hr.BulkExemptView.as_view(), name="attest_compliance_exempt"),
    ]


@hooks.register("register_log_actions")
def register_hr_log_actions(actions):
    actions.register_action(LOG_REMIND)(ReminderLogFormatter)


@hooks.register("register_admin_viewset")
def register_official_accounts():
    return OfficialAccountsViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_leaver_panel(request, panels):
    if request.user.has_perm(RECORD_REMOVAL):
        panels.append(LeaverTasksPanel(open_removal_task_count()))


@hooks.register("register_log_actions")
def register_official_account_log_actions(actions):
    actions.register_action(LOG_GRANT)(AccessGrantLogFormatter)
    actions.register_action(LOG_REMOVE)(AccessRemoveLogFormatter)
    actions.register_action(LOG_REVIEW)(AccessReviewLogFormatter)


@hooks.register("register_admin_viewset")
def register_people():
    return PeopleViewSetGroup()


@hooks.register("after_policy_version_release")
def sync_after_release(request, version):
    """A material release moves open assignments to it and asks past signers to re-attest:
    ``training``'s release view fires this hook (it knows nothing of HR). The sync is queued only
    once the release commits, so the worker never looks for a version that is not there yet."""
    transaction.on_commit(sync_assignments.enqueue)


@hooks.register("register_log_actions")
def register_people_log_actions(actions):
    actions.register_action("attest.assignment_exempt")(ExemptionLogFormatter)
    actions.register_action("attest.roster_import")(RosterImportLogFormatter)
    actions.register_action(LOG_APPLIED)(IdentityChangeLogFormatter)
    actions.register_action(LOG_REQUESTED)(IdentityChangeRequestLogFormatter)
    actions.register_action(LOG_REJECTED)(IdentityChangeRejectLogFormatter)


@hooks.register("after_chapter_question_answer")
def email_the_answer(request, question):
    """Queued once the answer commits, so the worker reads the answer as saved."""
    transaction.on_commit(partial(notify_question_answered.enqueue, question.pk))


@hooks.register("register_admin_urls")
def register_quiz_attempts_urls():
    return [path("assignments/<int:pk>/quiz-attempts/", QuizAttemptsView.as_view(), name="quiz_attempts")]


@hooks.register("register_log_actions")
def register_quiz_attempts_log_action(actions):
    actions.register_action("attest.quiz_attempts_give")(QuizAttemptsLogFormatter)


@hooks.register("register_admin_viewset")
def register_attestations():
    return AttestationViewSet("attestations")


@hooks.register("register_admin_urls")
def register_compliance_urls():
    return [
        path("compliance/", views_reports.admin_dashboard, name="attest_compliance_dashboard"),
        path("compliance/quiz/", views_reports.admin_quiz, name="attest_compliance_quiz"),
        path("compliance/chart/<slug:slug>.svg", views_reports.admin_chart, name="attest_compliance_chart"),
        path("compliance/export/<slug:fmt>/", views_reports.admin_export, name="attest_compliance_export"),
    ]


@hooks.register("register_admin_menu_item")
def register_compliance_menu_item():
    return ComplianceMenuItem(
        _("Compliance"),
        reverse("attest_compliance_dashboard"),
        name="compliance",
        icon_name="clipboard-list",
        order=230,
    )


@hooks.register("register_admin_viewset")
def register_xapi_statements():
    return XapiStatementViewSet("xapi_statements")
