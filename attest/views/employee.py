"""The employee journey: overview, read, quiz, sign, certificate; and the public verify page.

Views stay thin: they find the employee's own objects, call services, and render.
"""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from wagtail.models import Site

from training.selectors import quiz_allowance, quiz_attempt_review
from training.services import QuizError, quiz_attempt_start, quiz_attempt_submit, quiz_lockout_record, reading_record

from ..certificates import certificate_pdf
from ..company import company_details, crisis_contacts
from ..db import prepared_statements
from ..declines.forms import DeclineForm
from ..declines.selectors import declines_of
from ..forms.signing import SignForm
from ..models import AuthMethod
from ..questions import chapter_questions_context
from ..reminders import team_nudge
from ..selectors import (
    assignment_for_user,
    assignment_progress,
    assignment_window_start,
    attestation_by_code,
    attestation_visible_to,
    employee_for_user,
    manages_anyone,
    open_assignment_for_user,
    signed_chapter,
    signed_chapters,
    training_item,
    transcript,
    transcript_employee,
)
from ..services import (
    ERROR_NOT_READY,
    AttestationError,
    SigningContext,
    assignment_mark_started,
    attestation_create,
    attestation_statement,
)
from ..sso import sso_provider_id
from .reports import ERROR_NOT_A_MANAGER

NUDGE_LIMIT = 10  # reminder requests per manager
NUDGE_WINDOW = 10 * 60  # seconds
ERROR_NUDGE_TOO_MANY = gettext_lazy("You have sent many reminders just now. Try again in a few minutes.")
MESSAGE_NUDGE_NONE = gettext_lazy(
    "Nobody was reminded: everyone chosen was already reminded today, or is no longer overdue."
)


def _nudge_allowed(manager_pk: int) -> bool:
    """At most ``NUDGE_LIMIT`` requests per manager in ``NUDGE_WINDOW`` (the cache is shared by
    every app server). The per-person daily key already stops repeated emails; this stops floods."""
    key = f"team-nudge:{manager_pk}:{int(time.time()) // NUDGE_WINDOW}"
    cache.add(key, 0, NUDGE_WINDOW)
    try:
        return cache.incr(key) <= NUDGE_LIMIT
    except ValueError:  # expired between add and incr
        return True


@require_http_methods(["POST"])
def team_remind(request):
    """A manager reminds one overdue person (``assignment``) or everyone overdue in their line."""
    manager = employee_for_user(request.user)
    if manager is None or not manages_anyone(user=request.user):
        raise PermissionDenied(ERROR_NOT_A_MANAGER)
    if not _nudge_allowed(manager.pk):
        messages.error(request, str(ERROR_NUDGE_TOO_MANY))
        return redirect("team_dashboard")
    assignment_id = request.POST.get("assignment", "")
    if assignment_id and not assignment_id.isdigit():
        raise Http404
    sent = team_nudge(manager=manager, assignment_id=int(assignment_id) if assignment_id else None)
    if sent:
        messages.success(
            request,
            ngettext("Reminder sent to %(count)s person.", "Reminders sent to %(count)s people.", sent)
            % {"count": sent},
        )
    else:
        messages.info(request, str(MESSAGE_NUDGE_NONE))
    return redirect("team_dashboard")


def _chapter_or_404(progress, slug):
    """One of the chapters this employee must read (their track, their language)."""
    for status in progress.chapters:
        if status.chapter.slug == slug:
            return status.chapter
    raise Http404


def _open_assignment_or_redirect(request, assignment_id):
    """The employee's own open assignment and its progress; finished ones go to the overview."""
    assignment = open_assignment_for_user(user=request.user, assignment_id=assignment_id)
    if assignment is None:
        return None, None, redirect("assignment", assignment_id=assignment_id)
    return assignment, assignment_progress(assignment), None


def assignment_overview(request, assignment_id):
    assignment = assignment_for_user(user=request.user, assignment_id=assignment_id)
    item = training_item(assignment=assignment)
    signed = signed_chapters(assignment) if assignment.attestation_id and not item.is_open else []
    return render(
        request,
        "attest/assignment.html",
        {"item": item, "assignment": assignment, "signed_chapters": signed, "declines": list(declines_of(assignment))},
    )


def _signed_chapter(request, assignment_id, slug):
    """A chapter of a finished assignment: the text of the version as signed, read-only (reading
    it again records nothing). Without a signature (exempt) there is nothing to show."""
    assignment = assignment_for_user(user=request.user, assignment_id=assignment_id)
    if not assignment.attestation_id or request.method != "GET":
        return redirect("assignment", assignment_id=assignment_id)
    return signed_chapter_page(request, assignment, signed_chapter(assignment, slug))


def signed_chapter_page(request, assignment, chapter, question_form=None):
    return render(
        request,
        "attest/chapter.html",
        {
            "assignment": assignment,
            "chapter": chapter,
            "page": chapter.page,
            "policy_title": assignment.version.title_in(chapter.locale.language_code),
            "read_only": True,
            **chapter_questions_context(user=request.user, chapter=chapter, form=question_form),
        },
    )


def transcript_page(request, employee_id=None):
    """Everything a person has signed, with certificates and the text as signed; HR may open anyone's."""
    employee = transcript_employee(user=request.user, employee_id=employee_id)
    return render(
        request,
        "attest/transcript.html",
        {
            "employee": employee,
            "attestations": transcript(employee=employee),
            "own": employee.user_id == request.user.pk,
        },
    )


@require_http_methods(["GET", "POST"])
@prepared_statements
def chapter_read(request, assignment_id, slug):
    assignment, progress, done = _open_assignment_or_redirect(request, assignment_id)
    if done:
        return _signed_chapter(request, assignment_id, slug)
    chapter = _chapter_or_404(progress, slug)
    if request.method == "POST":
        reading_record(user=request.user, chapter=chapter)
        assignment_mark_started(employee=assignment.employee, version=assignment.version)
        if chapter.has_quiz:
            return redirect("quiz", assignment_id=assignment_id, slug=slug)
        return redirect("assignment", assignment_id=assignment_id)
    return open_chapter_page(request, assignment, progress, chapter)


def open_chapter_page(request, assignment, progress, chapter, question_form=None):
    return render(
        request,
        "attest/chapter.html",
        {
            "progress": progress,
            "assignment": assignment,
            "chapter": chapter,
            "page": chapter.page,
            "fallback": chapter.locale.language_code != assignment.employee.language,
            "contacts": crisis_contacts(),
            **chapter_questions_context(user=request.user, chapter=chapter, form=question_form),
        },
    )


def _posted_answers(request) -> dict[str, list[int]]:
    """Answers as {question id: [option indices]}; anything unparsable becomes an unknown option."""
    answers = {}
    for key in request.POST:
        if key.startswith("q-"):
            try:
                answers[key[2:]] = [int(value) for value in request.POST.getlist(key)]
            except ValueError:
                answers[key[2:]] = [-1]
    return answers


def _presented_questions(chapter, attempt):
    """The questions as drawn for this open attempt (the result page uses ``quiz_attempt_review``)."""
    questions = {child.id: child.value for child in chapter.page.questions}
    return [
        {
            "id": item["question"],
            "question": questions[item["question"]],
            "options": [(index, questions[item["question"]]["options"][index]) for index in item["options"]],
            "multiple": questions[item["question"]]["kind"] == "multiple",
        }
        for item in attempt.presented
    ]


@require_http_methods(["GET", "POST"])
@prepared_statements
def quiz(request, assignment_id, slug):
    assignment, progress, done = _open_assignment_or_redirect(request, assignment_id)
    if done:
        return done
    chapter = _chapter_or_404(progress, slug)
    since = assignment_window_start(assignment)
    context = {"assignment": assignment, "progress": progress, "chapter": chapter, "page": chapter.page}
    if request.method == "POST":
        try:
            result = quiz_attempt_submit(
                user=request.user,
                chapter=chapter,
                attempt_id=request.POST.get("attempt", ""),
                answers=_posted_answers(request),
            )
        except QuizError as error:
            messages.error(request, str(error))
            return redirect("quiz", assignment_id=assignment_id, slug=slug)
        assignment_mark_started(employee=assignment.employee, version=assignment.version)
        allowance = quiz_allowance(user=request.user, chapter=chapter, since=since)
        locked_out = quiz_lockout_record(user=request.user, chapter=chapter, allowance=allowance)
        context.update(
            attempt=result,
            reveal=allowance.reveals_answers,
            questions=quiz_attempt_review(chapter=chapter, attempt=result, reveal=allowance.reveals_answers),
            next_progress=assignment_progress(assignment),
            allowance=allowance,
            locked_out=locked_out,
            hr_contact=company_details(Site.find_for_request(request)).hr_contact_email if locked_out else "",
        )
        return render(request, "attest/quiz_result.html", context, status=200)
    try:
        attempt = quiz_attempt_start(user=request.user, chapter=chapter, since=since)
    except QuizError as error:
        messages.info(request, str(error))
        return redirect("assignment", assignment_id=assignment_id)
    context.update(
        attempt=attempt,
        questions=_presented_questions(chapter, attempt),
        allowance=quiz_allowance(user=request.user, chapter=chapter, since=since),
    )
    return render(request, "attest/quiz.html", context)


def _needs_reauthentication(request) -> bool:
    return request.user.is_authenticated and not request.user.has_usable_password()


def _recently_reauthenticated(request) -> bool:
    """Whether this session proved who is signing in the last few minutes.

    With a password: a re-authentication record (allauth's rule, without its look-ups of MFA
    authenticators, which cannot change the answer). Without one, the person signs in through
    single sign-on, where allauth has no re-authentication of its own: a sign-in at the provider
    counts, or a re-authentication with a second factor (which ``reauthentication_required``
    asks for when the account has one)."""
    user = request.user
    provider_sign_in_counts = not user.has_usable_password()
    proofs = [
        record
        for record in get_authentication_records(request, user)
        if record.get("reauthenticated") or (provider_sign_in_counts and record.get("method") == "socialaccount")
    ]
    return bool(proofs) and time.time() - proofs[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


@require_http_methods(["GET", "POST"])
@reauthentication_required(enabled=_needs_reauthentication, allow_get=True)
@prepared_statements
def sign(request, assignment_id):
    assignment, progress, done = _open_assignment_or_redirect(request, assignment_id)
    if done:
        return done
    if not progress.complete:
        messages.info(request, ERROR_NOT_READY)
        return redirect("assignment", assignment_id=assignment_id)
    recently_reauthenticated = _recently_reauthenticated(request)
    if not recently_reauthenticated and not request.user.has_usable_password():
        return _sign_page(request, assignment, progress, confirm_at_provider=sso_provider_id())
    form = SignForm(request.POST or None, user=request.user, recently_reauthenticated=recently_reauthenticated)
    if (
        request.method == "POST"
        and form.uses_password
        and not ratelimit.consume(request, action="reauthenticate", user=request.user)
    ):
        return ratelimit.respond_429(request)
    if request.method == "POST" and form.is_valid():
        context = SigningContext(
            ip_address=get_account_adapter(request).get_client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            auth_method=AuthMethod.PASSWORD if form.uses_password else AuthMethod.REAUTHENTICATION,
        )
        try:
            attestation = attestation_create(
                assignment=assignment, typed_name=form.cleaned_data["typed_name"], context=context, progress=progress
            )
        except AttestationError as error:
            form.add_error("typed_name", str(error))
        else:
            messages.success(request, _("Thank you. Your attestation is recorded."))
            return redirect("assignment", assignment_id=attestation.assignment_id)
    return _sign_page(request, assignment, progress, form=form)


def _sign_page(request, assignment, progress, *, status=200, **context):
    statement = attestation_statement(
        name=assignment.employee.full_name, version=assignment.version, language=progress.reading_locale
    )
    if "decline_form" not in context:
        context["decline_form"] = DeclineForm(chapters=[chapter.chapter for chapter in progress.chapters])
    context.setdefault("awaiting_decline", declines_of(assignment).filter(responded_at__isnull=True).first())
    return render(
        request,
        "attest/sign.html",
        {"assignment": assignment, "progress": progress, "statement": statement, **context},
        status=status,
    )


def sign_page_with(request, assignment, progress, **context):
    """The signing page with an empty signing form (the decline view shows its errors here)."""
    recently_reauthenticated = _recently_reauthenticated(request)
    if not recently_reauthenticated and not request.user.has_usable_password():
        return _sign_page(request, assignment, progress, confirm_at_provider=sso_provider_id(), **context)
    form = SignForm(user=request.user, recently_reauthenticated=recently_reauthenticated)
    return _sign_page(request, assignment, progress, form=form, **context)


def certificate(request, code):
    attestation = attestation_visible_to(user=request.user, code=code)
    site = Site.find_for_request(request)
    company = company_details(site)
    verify_url = request.build_absolute_uri(reverse("verify", args=[attestation.verification_code]))
    pdf = certificate_pdf(
        attestation=attestation,
        company_name=company.name,
        verify_url=verify_url,
        signatory=company.signatory_in(attestation.locale_code),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{attestation.verification_code}.pdf"'
    return response


@login_not_required
def verify(request, code):
    """Public: confirms a genuine certificate and reveals nothing more than is printed on it."""
    attestation = attestation_by_code(code)
    if attestation is None:
        raise Http404
    return render(request, "attest/verify.html", {"attestation": attestation})
