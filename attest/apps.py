from django.apps import AppConfig


class AttestConfig(AppConfig):
    name = "attest"
    verbose_name = "Attestation"

    def ready(self):
        from training.xapi.statements import actor_resolver_register

        from .xapi import employee_account_name

        actor_resolver_register(employee_account_name)  # xAPI agents are employee ids
