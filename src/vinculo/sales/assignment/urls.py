"""Pages of the assignment module: the rules under settings, and applying them."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/assignment-rules/", views.rule_list, name="assignment-rules"),
    path("settings/assignment-rules/new/", views.rule_new, name="assignment-rule-new"),
    path("settings/assignment-rules/apply/", views.apply_view, name="assignment-apply"),
    path("settings/assignment-rules/<int:rule_id>/", views.rule_edit,
         name="assignment-rule-edit"),
    path("settings/assignment-rules/<int:rule_id>/move/", views.rule_move,
         name="assignment-rule-move"),
]
