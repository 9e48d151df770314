"""Pages of the segments module."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("segments/", views.segment_list, name="segments-list"),
    path("segments/count/", views.segment_count, name="segments-count"),
    path("segments/<int:pk>/", views.segment_detail, name="segments-detail"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="segments-edit"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segments-delete"),
]
