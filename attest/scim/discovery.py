"""What the service supports (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas."""

from .schemas import ENTERPRISE, RESOURCE_TYPE, SCHEMA, SERVICE_PROVIDER_CONFIG, USER

MAX_RESULTS = 200


def service_provider_config(base: str) -> dict:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token HR creates in the admin (Provisioning tokens) or with manage.py scim_token.",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base}/ServiceProviderConfig"},
    }


def resource_types(base: str) -> list[dict]:
    return [
        {
            "schemas": [RESOURCE_TYPE],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "An employee.",
            "schema": USER,
            "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"},
        }
    ]


def _attribute(name, kind="string", *, required=False, multi=False, mutability="readWrite", unique="none", sub=None):
    attribute = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "required": required,
        "caseExact": False,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": unique,
    }
    if sub:
        attribute["subAttributes"] = sub
    return attribute


def schemas(base: str) -> list[dict]:
    user = [
        _attribute("userName", required=True, unique="server"),
        _attribute("externalId", mutability="immutable", unique="server"),
        _attribute("name", "complex", sub=[_attribute("givenName"), _attribute("familyName"), _attribute("formatted")]),
        _attribute("displayName", mutability="readOnly"),
        _attribute(
            "emails",
            "complex",
            multi=True,
            sub=[_attribute("value"), _attribute("type"), _attribute("primary", "boolean")],
        ),
        _attribute("preferredLanguage"),
        _attribute("locale", mutability="writeOnly"),
        _attribute("active", "boolean"),
        _attribute("addresses", "complex", multi=True, sub=[_attribute("locality"), _attribute("type")]),
    ]
    enterprise = [
        _attribute("employeeNumber", mutability="immutable", unique="server"),
        _attribute("department"),
        _attribute(
            "manager",
            "complex",
            sub=[_attribute("value"), _attribute("displayName", mutability="readOnly")],
        ),
    ]
    return [
        {
            "schemas": [SCHEMA],
            "id": USER,
            "name": "User",
            "description": "An employee.",
            "attributes": user,
            "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{USER}"},
        },
        {
            "schemas": [SCHEMA],
            "id": ENTERPRISE,
            "name": "EnterpriseUser",
            "description": "Employee number, department and manager.",
            "attributes": enterprise,
            "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{ENTERPRISE}"},
        },
    ]
