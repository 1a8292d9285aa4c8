"""The read-only REST API at ``/api/v1/``: people, requirements, policy versions, attestations
and compliance figures, for HR's and managers' own systems (DESIGN §4, "Integrations").

Callers authenticate with a bearer token that HR creates (``models.ApiToken``); a token carries
read scopes and, for a manager, their reporting line. Sessions and cookies are never accepted
here, so the API has no CSRF surface. Everything is read through ``attest``'s selectors and
``reports``: the API adds no rule of its own about who may see what or how a figure is counted.
"""
