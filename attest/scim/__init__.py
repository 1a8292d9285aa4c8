"""SCIM 2.0 provisioning (RFC 7643/7644) at ``/scim/v2/``: identity providers create, update and
deactivate employees through the same rules as the roster import (``attest.roster.people_apply``)."""
