"""Pages of the service module (before the generic resource pages)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("service/queues/<int:pk>/", views.queue_view, name="service-queue"),
    path("cases/<int:pk>/pick-up/", views.case_pick_up, name="cases-pick-up"),
]
