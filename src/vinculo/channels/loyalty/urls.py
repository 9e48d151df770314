"""Pages: the loyalty programme's settings."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/loyalty/", views.programme_settings, name="loyalty-settings"),
]
