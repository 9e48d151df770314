"""Pages: satisfaction surveys, the public answer page and the service dashboard."""

from django.urls import path

from . import views

urlpatterns = [
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/queues/", views.queue_settings, name="surveys-queues"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/send/", views.survey_send, name="survey-send"),
    path("s/<str:token>/", views.answer_page, name="survey-answer"),
    path("service/dashboard/", views.dashboard, name="service-dashboard"),
]
