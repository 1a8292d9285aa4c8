"""The employee declines to sign, from the signing page. Thin: checks, the service, render."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..views.employee import _open_assignment_or_redirect, sign_page_with
from .forms import DeclineForm
from .services import DeclineError, decline_create


@require_POST
def decline(request, assignment_id):
    assignment, progress, done = _open_assignment_or_redirect(request, assignment_id)
    if done:
        return done
    if not progress.complete:
        messages.info(request, _("Read every chapter and pass every quiz before you sign."))
        return redirect("assignment", assignment_id=assignment_id)
    form = DeclineForm(request.POST, chapters=[status.chapter for status in progress.chapters])
    if form.is_valid():
        try:
            decline_create(
                assignment=assignment,
                progress=progress,
                user=request.user,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                chapter=form.chosen_chapter,
            )
        except DeclineError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your decision not to sign is recorded and HR has been told. You may still sign at any time."),
            )
            return redirect("assignment", assignment_id=assignment_id)
    return sign_page_with(request, assignment, progress, decline_form=form, status=400)
