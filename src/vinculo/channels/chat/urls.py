"""Live chat: the widget's script and endpoints (public), the widgets under settings, and an
agent's availability."""

from django.urls import path

from . import views

urlpatterns = [
    path("chat/widget.js", views.widget_script, name="chat-widget-script"),
    path("chat/<str:key>/config", views.config, name="chat-config"),
    path("chat/<str:key>/sessions", views.start, name="chat-start"),
    path("chat/<str:key>/sessions/<str:token>/messages", views.send, name="chat-send"),
    path("chat/<str:key>/sessions/<str:token>/events", views.events, name="chat-events"),
    path("chat/<str:key>/sessions/<str:token>/close", views.close, name="chat-close"),
    path("chat/<str:key>/offline", views.offline, name="chat-offline"),
    path("chat/availability/", views.availability_badge, name="chat-availability"),
    path("chat/availability/set/", views.availability, name="chat-availability-set"),
    path("settings/chat/", views.widget_list, name="chat-widgets"),
    path("settings/chat/new/", views.widget_new, name="chat-widget-new"),
    path("settings/chat/<int:widget_id>/", views.widget_edit, name="chat-widget-edit"),
]
