from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from wagtail.users import apps as wagtail_users_apps


def _forget_company_chrome(sender, **kwargs):
    """Now, and again at commit: a page drawn in between would have read the old row under the
    new version and kept it."""
    from .context_processors import company_chrome_forget

    company_chrome_forget()
    transaction.on_commit(company_chrome_forget)


def _sync_roles(sender, **kwargs):
    from .roles import roles_sync

    roles_sync()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site"

    def ready(self):
        from allauth.mfa.signals import authenticator_added
        from wagtail.models import Site

        from .middleware import record_second_factor_on_setup
        from .models import CompanySettings

        authenticator_added.connect(record_second_factor_on_setup)
        post_migrate.connect(_sync_roles, sender=self)
        for model in (CompanySettings, Site):
            post_save.connect(_forget_company_chrome, sender=model)
            post_delete.connect(_forget_company_chrome, sender=model)


class WagtailUsersConfig(wagtail_users_apps.WagtailUsersAppConfig):
    """Wagtail's users app with the employee-email rule of ``cms.users`` (named in INSTALLED_APPS;
    not the default configuration of ``cms``)."""

    default = False
    user_viewset = "cms.users.RosterUserViewSet"
