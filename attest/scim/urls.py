from django.urls import path, re_path

from . import views

app_name = "scim"

urlpatterns = [
    path("", views.no_endpoint, name="root"),
    re_path(r"^ServiceProviderConfig/?$", views.service_provider_config, name="service_provider_config"),
    re_path(r"^ResourceTypes/?$", views.resource_types, name="resource_types"),
    re_path(r"^ResourceTypes/(?P<name>[^/]+)/?$", views.resource_types, name="resource_type"),
    re_path(r"^Schemas/?$", views.schemas, name="schemas"),
    re_path(r"^Schemas/(?P<name>[^/]+)/?$", views.schemas, name="schema"),
    re_path(r"^Users/?$", views.users, name="users"),
    re_path(r"^Users/\.search/?$", views.not_supported),
    re_path(r"^Users/(?P<pk>[^/]+)/?$", views.user, name="user"),
    re_path(r"^Groups/?$", views.groups, name="groups"),
    re_path(r"^Groups/(?P<pk>[^/]+)/?$", views.groups),
    re_path(r"^(?:Bulk|Me|\.search)/?$", views.not_supported),
    re_path(r"^(?P<rest>.*)$", views.no_endpoint),
]
