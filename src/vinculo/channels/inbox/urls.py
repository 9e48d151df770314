"""Pages and webhooks of the unified inbox."""

from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:conversation_id>/", views.thread, name="inbox-thread"),
    path("inbox/<int:conversation_id>/messages/", views.thread_messages, name="inbox-messages"),
    path("inbox/<int:conversation_id>/reply/", views.reply, name="inbox-reply"),
    path("inbox/<int:conversation_id>/status/", views.set_status, name="inbox-status"),
    path("inbox/<int:conversation_id>/assign/", views.assign, name="inbox-assign"),
    path("inbox/<int:conversation_id>/convert/", views.convert, name="inbox-convert"),
    path("inbox/<int:conversation_id>/contact/", views.link_contact, name="inbox-contact"),
    path("inbox/start/<int:contact_id>/", views.start, name="inbox-start"),
    path("inbox/calls/ringing/", views.ringing, name="inbox-ringing"),
    path("inbox/calls/log/<int:contact_id>/", views.log_call, name="inbox-log-call"),
    path("inbox/hooks/<str:key>/sms/", views.hook_sms, name="inbox-hook-sms"),
    path("inbox/hooks/<str:key>/status/", views.hook_status, name="inbox-hook-status"),
    path("inbox/hooks/<str:key>/voice/", views.hook_voice, name="inbox-hook-voice"),
    path("inbox/hooks/<str:key>/events/", views.hook_events, name="inbox-hook-events"),
    path("settings/channels/", views.accounts, name="inbox-accounts"),
    path("settings/channels/new/", views.account_edit, name="inbox-account-new"),
    path("settings/channels/<int:account_id>/", views.account_edit, name="inbox-account-edit"),
]
