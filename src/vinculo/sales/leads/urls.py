"""Pages of the leads module beyond the generic resource pages."""

from django.urls import path

from . import views, webforms

urlpatterns = [
    path("f/<slug:key>/", webforms.public_form, name="web-form-public"),
    path("leads/<int:pk>/convert/", views.convert_view, name="lead-convert"),
    path("settings/web-forms/", views.web_forms_view, name="web-forms"),
    path("settings/web-forms/new/", views.web_form_edit, name="web-form-new"),
    path("settings/web-forms/<int:form_id>/", views.web_form_edit, name="web-form-edit"),
    path("settings/scoring/", views.scoring_view, name="scoring-rules"),
    path("settings/scoring/new/", views.scoring_rule_edit, name="scoring-rule-new"),
    path("settings/scoring/<int:rule_id>/", views.scoring_rule_edit, name="scoring-rule-edit"),
]
