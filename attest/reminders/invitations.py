"""Invitations to new people: a link to set their password."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse

from ..models import Employee, EmployeeStatus, ReminderKind
from .delivery import Email, absolute_url, deliver


def invitation_link(user) -> str:
    """allauth's own password-reset link: it lets a new person choose their first password."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return absolute_url(path)


def invitations_send(*, employee_ids: list[int]) -> int:
    """Invite new people to set their password. Never twice; not people who left meanwhile or
    who already have a password."""
    employees = (
        Employee.objects.filter(pk__in=employee_ids, user__is_active=True)
        .exclude(status=EmployeeStatus.TERMINATED)
        .select_related("user")
        .order_by("pk")
    )
    days = settings.PASSWORD_RESET_TIMEOUT // 86400

    def email(employee: Employee) -> Email:
        return Email(
            kind=ReminderKind.INVITATION,
            dedupe_key=f"invitation:{employee.pk}",
            recipient=employee.email,
            template="invitation",
            language=employee.language,
            context=lambda: {"employee": employee, "link": invitation_link(employee.user), "valid_days": days},
            employee_id=employee.pk,
        )

    return deliver(email(employee) for employee in employees if not employee.user.has_usable_password())
