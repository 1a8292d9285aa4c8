"""The manager's view of their reporting line, mounted at ``/team/`` (HR's lives in the admin)."""

from django.urls import path

from ..views import employee as views
from ..views import reports as views_reports

urlpatterns = [
    path("", views_reports.team_dashboard, name="team_dashboard"),
    path("remind/", views.team_remind, name="team_remind"),
    path("people/", views_reports.team_people, name="team_people"),
    path("chart/<slug:slug>.svg", views_reports.team_chart, name="team_chart"),
    path("export/<slug:fmt>/", views_reports.team_export, name="team_export"),
]
