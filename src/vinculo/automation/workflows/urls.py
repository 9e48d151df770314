"""Pages of the workflows module (administrators)."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/workflows/", views.workflow_list, name="workflows"),
    path("settings/workflows/new/", views.workflow_new, name="workflow-new"),
    path("settings/workflows/<int:workflow_id>/", views.workflow_edit, name="workflow-edit"),
    path("settings/workflows/<int:workflow_id>/runs/", views.workflow_runs,
         name="workflow-runs"),
]
