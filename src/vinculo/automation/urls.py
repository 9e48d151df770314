"""Pages of the automation module: business rules in the settings (administrators)."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/business-rules/", views.rule_list, name="business-rules"),
    path("settings/business-rules/new/", views.rule_new, name="business-rule-new"),
    path("settings/business-rules/<int:rule_id>/", views.rule_edit, name="business-rule-edit"),
]
