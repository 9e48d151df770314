"""Pages of the webhooks module: settings (administrators)."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/webhooks/", views.webhook_list, name="webhooks"),
    path("settings/webhooks/new/", views.webhook_new, name="webhook-new"),
    path("settings/webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook-detail"),
    path("settings/webhooks/<int:webhook_id>/action/", views.webhook_action,
         name="webhook-action"),
    path("settings/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend/",
         views.webhook_resend, name="webhook-resend"),
]
