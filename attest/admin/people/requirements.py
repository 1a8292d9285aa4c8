"""Requirements in the admin: who must complete which policy by when; assignments follow each save."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from training.models import Track

from ...forms.people import RequirementForm
from ...models import Requirement, RequirementKind
from ...tasks import sync_assignments


def _due_rule(requirement: Requirement) -> str:
    if requirement.kind == RequirementKind.AD_HOC:
        return _("by %(date)s") % {"date": date_format(requirement.due_date)} if requirement.due_date else ""
    if requirement.kind == RequirementKind.ANNUAL and requirement.annual_fixed_date:
        return _("every year by %(day)s") % {"day": date_format(requirement.annual_fixed_date, "MONTH_DAY_FORMAT")}
    return _("within %(days)s days") % {"days": requirement.due_days}


def _audience(requirement: Requirement) -> str:
    parts = [", ".join(values) for values in (requirement.departments, requirement.locations) if values]
    if requirement.tracks:
        parts.append(", ".join(str(Track(track).label) for track in requirement.tracks))
    return " · ".join(parts) or _("Everyone")


class RequirementSyncMixin:
    """Saving a requirement brings assignments in line with it, in the background (for 100,000
    people this takes longer than a page load should)."""

    def save_instance(self):
        requirement = super().save_instance()
        sync_assignments.enqueue()
        return requirement

    def get_success_message(self, *args):
        return _("Requirement “%(name)s” saved. Assignments are being updated.") % {"name": self.object.name}


class RequirementCreateView(RequirementSyncMixin, CreateView):
    pass


class RequirementEditView(RequirementSyncMixin, EditView):
    pass


class RequirementViewSet(ModelViewSet):
    model = Requirement
    icon = "tasks"
    menu_label = gettext_lazy("Requirements")
    add_view_class = RequirementCreateView
    edit_view_class = RequirementEditView
    copy_view_enabled = False
    list_display = [
        "name",
        "policy",
        "kind",
        Column("due", label=gettext_lazy("Due"), accessor=_due_rule),
        Column("audience", label=gettext_lazy("Audience"), accessor=_audience),
        BooleanColumn("active", label=gettext_lazy("active")),
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    search_backend_name = None

    def get_form_class(self, for_update=False):
        return RequirementForm
