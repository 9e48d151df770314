"""Pages of e-mail to case: mailboxes under settings (with "Fetch now" and the messages that
could not be read), the reply form on a case and attachment downloads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.platform import access
from vinculo.service.models import Case, Queue
from vinculo.web.base import admin_page, page

from . import selectors, services
from .models import Mailbox, MailMessage, Security

BASE = "/settings/mailboxes/"


class MailboxForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    address = forms.EmailField(label=gettext_lazy("Support address"), required=False,
                               help_text=gettext_lazy("Replies and acknowledgements are sent "
                                                      "from it."))
    host = forms.CharField(label=gettext_lazy("IMAP host"), max_length=255)
    port = forms.IntegerField(label=gettext_lazy("Port"), min_value=1, max_value=65535,
                              initial=993)
    security = forms.ChoiceField(label=gettext_lazy("Security"), choices=Security.choices,
                                 initial=Security.SSL)
    username = forms.CharField(label=gettext_lazy("Username"), max_length=255)
    password = forms.CharField(label=gettext_lazy("Password"), max_length=255, required=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=gettext_lazy("Leave empty to keep the saved one."))
    folder = forms.CharField(label=gettext_lazy("Folder"), max_length=255, initial="INBOX")
    queue_id = forms.TypedChoiceField(label=gettext_lazy("Queue for new cases"), coerce=int,
                                      required=False, empty_value=None)
    active = forms.BooleanField(label=gettext_lazy("Active (polled every minute)"),
                                required=False, initial=True)
    auto_acknowledge = forms.BooleanField(
        label=gettext_lazy("Acknowledge new cases by e-mail (English or Spanish)"),
        required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue_id"].choices = [("", "—")] + [
            (q.pk, q.name) for q in Queue.objects.order_by("name", "id")]


@admin_page
def mailbox_list(request: HttpRequest) -> HttpResponse:
    return render(request, "service_mail/mailboxes.html", {
        "mailboxes": selectors.mailboxes(), "section": "mailboxes"})


@admin_page
def mailbox_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@admin_page
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _mailbox(pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        mailbox.delete()
        messages.success(request, _("Mailbox removed."))
        return redirect(BASE)
    return _edit(request, mailbox)


def _mailbox(pk: int) -> Mailbox:
    mailbox = Mailbox.objects.select_related("queue").filter(pk=pk).first()
    if mailbox is None:
        raise Http404
    return mailbox


def _edit(request: HttpRequest, mailbox: Mailbox | None) -> HttpResponse:
    initial = {}
    if mailbox is not None:
        initial = {f: getattr(mailbox, f) for f in services.MAILBOX_FIELDS if f != "password"}
    form = MailboxForm(request.POST or None, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_mailbox(mailbox, dict(form.cleaned_data))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Mailbox saved."))
            return redirect(f"{BASE}{saved.pk}/")
    return render(request, "service_mail/mailbox.html", {
        "form": form, "mailbox": mailbox, "section": "mailboxes",
        "problems": selectors.problem_messages(mailbox) if mailbox else []})


@admin_page
@require_POST
def mailbox_fetch(request: HttpRequest, pk: int) -> HttpResponse:
    result = services.fetch(_mailbox(pk), limit=services.PER_RUN)
    if result.busy:
        messages.info(request, _("Another worker is fetching this mailbox right now."))
    elif result.error:
        messages.error(request, _("The mailbox could not be read: %(error)s") % {
            "error": result.error})
    else:
        messages.success(request, _(
            "%(new)s new cases, %(replies)s replies, %(ignored)s ignored, %(failed)s could "
            "not be read.") % {"new": len(result.created), "replies": len(result.added),
                               "ignored": result.ignored, "failed": result.failed})
    return redirect(f"{BASE}{pk}/")


@admin_page
def mailbox_raw(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    row = MailMessage.objects.filter(pk=message_id, mailbox_id=pk).first()
    if row is None or not row.raw:
        raise Http404
    return FileResponse(row.raw.open("rb"), as_attachment=True,
                        filename=f"message-{row.pk}.eml", content_type="message/rfc822")


@page
@require_POST
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.scope(request.user, "cases", "view", Case.objects.select_related(
        "contact")).filter(pk=pk).first()
    if case is None:
        raise Http404
    access.require(request.user, case, "change")
    to = [a.strip() for a in request.POST.get("to", "").replace(";", ",").split(",")
          if a.strip()]
    field = forms.EmailField()
    try:
        to = [field.clean(a) for a in to]
        services.reply(case, request.user, body=request.POST.get("body", ""), to=to or None)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except services.SendFailed as exc:
        messages.error(request, _("The mail server did not accept the message: %(error)s") % {
            "error": str(exc)[:300]})
    else:
        messages.success(request, _("Reply sent."))
    return redirect(f"/cases/{case.pk}/")


@page
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.visible_attachment(request.user, pk)
    if attachment is None or not attachment.file:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.filename,
                        content_type=attachment.content_type or "application/octet-stream")
