"""Where the admin's page explorer opens: on the policy, in the editor's language.

The tree holds one "My training" home page per language with the policy beneath each; editors
work on the policy, so the sidebar's *Pages* item starts at the policy in the language the admin
is shown in (else the default language's), when that language has exactly one policy and the
user may explore it. Otherwise it keeps Wagtail's own starting point (the explorable root).
"""

from django.urls import reverse
from django.utils.translation import get_language
from wagtail.admin.ui.sidebar import PageExplorerMenuItem as PageExplorerMenuItemComponent
from wagtail.admin.wagtail_hooks import ExplorerMenuItem
from wagtail.models import Locale, Page
from wagtail.permissions import policy_registry

from .models import PolicyPage


def editor_start_page(user) -> Page | None:
    """The policy an editor starts from, or None to keep Wagtail's explorable root."""
    root = policy_registry.get_by_type(Page).explorable_root_instance(user)
    if root is None:
        return None
    policies = PolicyPage.objects.descendant_of(root, inclusive=True).select_related("locale")
    language = (get_language() or "").split("-")[0]
    for code in dict.fromkeys([language, Locale.get_default().language_code]):
        found = [policy for policy in policies if policy.locale.language_code == code]
        if len(found) == 1:
            return found[0]
    return None


class PolicyExplorerMenuItem(ExplorerMenuItem):
    """Wagtail's *Pages* item, starting at ``editor_start_page``."""

    def render_component(self, request):
        start = editor_start_page(request.user)
        if start is None:
            return super().render_component(request)
        return PageExplorerMenuItemComponent(
            self.name,
            self.label,
            reverse("wagtailadmin_explore", args=[start.pk]),
            start.pk,
            icon_name=self.icon_name,
            classname=self.classname,
        )


def start_at_the_policy(request, menu_items):
    """``construct_main_menu``: swap Wagtail's explorer item for ``PolicyExplorerMenuItem``."""
    for index, item in enumerate(menu_items):
        if item.name == "explorer" and type(item) is ExplorerMenuItem:
            menu_items[index] = PolicyExplorerMenuItem(
                item.label, item.url, name=item.name, icon_name=item.icon_name, order=item.order
            )
