"""Pages of e-mail to case."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("settings/mailboxes/", views.mailbox_list, name="mailboxes"),
    path("settings/mailboxes/new/", views.mailbox_new, name="mailbox-new"),
    path("settings/mailboxes/<int:pk>/", views.mailbox_detail, name="mailbox"),
    path("settings/mailboxes/<int:pk>/fetch/", views.mailbox_fetch, name="mailbox-fetch"),
    path("settings/mailboxes/<int:pk>/raw/<int:message_id>/", views.mailbox_raw,
         name="mailbox-raw"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case-reply"),
    path("service/mail/attachments/<int:pk>/", views.attachment_download,
         name="mail-attachment"),
]
