from django.urls import path

from ..declines.views import decline
from ..views import employee as views
from ..views import questions as views_questions

urlpatterns = [
    path("<int:assignment_id>/", views.assignment_overview, name="assignment"),
    path("<int:assignment_id>/chapters/<slug:slug>/", views.chapter_read, name="chapter"),
    path("<int:assignment_id>/chapters/<slug:slug>/quiz/", views.quiz, name="quiz"),
    path(
        "<int:assignment_id>/chapters/<slug:slug>/questions/",
        views_questions.question_ask_view,
        name="chapter_question",
    ),
    path("<int:assignment_id>/sign/", views.sign, name="sign"),
    path("<int:assignment_id>/decline/", decline, name="decline"),
    path("transcript/", views.transcript_page, name="transcript"),
    path("transcript/<int:employee_id>/", views.transcript_page, name="transcript_of"),
    path("certificates/<str:code>.pdf", views.certificate, name="certificate"),
]
