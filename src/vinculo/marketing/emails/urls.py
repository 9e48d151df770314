"""Pages of the emails module (the generic pages come from the resources in views.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("email-campaigns/<int:pk>/preview/", views.preview, name="email-campaign-preview"),
    path("email-campaigns/<int:pk>/test/", views.test_send, name="email-campaign-test"),
    path("email-campaigns/<int:pk>/schedule/", views.schedule, name="email-campaign-schedule"),
    path("email-campaigns/<int:pk>/cancel/", views.cancel, name="email-campaign-cancel"),
]
