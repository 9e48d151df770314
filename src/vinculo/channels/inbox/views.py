"""Pages of the inbox (three panes: threads, the thread, the contact), the screen pop, call
logging on the contact page, channel accounts under settings, and the providers' webhooks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vinculo.customers.models import Contact
from vinculo.identity.models import User
from vinculo.platform import access
from vinculo.platform.pagination import CursorError
from vinculo.web.base import admin_page, page

from . import adapters, selectors, services
from .models import Channel, ChannelAccount, Conversation, SmsOptOut, Status

PAGE_SIZE = 30


# ------------------------------------------------------------------------------ the inbox


def _filters(request: HttpRequest) -> dict[str, str]:
    get = request.GET
    box = get.get("box") if get.get("box") in selectors.BOXES else "mine"
    status = get.get("status") if get.get("status") in Status.values else "open"
    if get.get("status") == "any":
        status = "any"
    channel = get.get("channel") if get.get("channel") in Channel.values else ""
    return {"box": box, "status": status, "channel": channel}


def _threads(request: HttpRequest, state: dict[str, str]) -> tuple[list, str | None]:
    qs = selectors.inbox(request.user, box=state["box"],
                         status=None if state["status"] == "any" else state["status"],
                         channel=state["channel"] or None)
    try:
        return selectors.page(qs, request.GET.get("cursor") or None, PAGE_SIZE)
    except CursorError:
        return selectors.page(qs, None, PAGE_SIZE)


def _thread_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    user = request.user
    contact = conversation.contact
    hidden_contact = contact is not None and not access.allows(user, contact, "view")
    if hidden_contact:
        contact = None
    shown = list(conversation.messages.select_related("author")
                 .order_by("-created_at", "-id")[:200])
    shown.reverse()
    can_change = _may_change(user, conversation)
    return {
        "conversation": conversation, "thread_messages": shown, "contact": contact,
        "can_change": can_change,
        "hidden_contact": hidden_contact,
        "suggestions": [] if contact or hidden_contact
        else services.suggestions(conversation, user),
        "new_contact_url": "/contacts/new/?" + urlencode(_prefill(conversation)),
        "opted_out": conversation.channel == "sms" and services.opted_out(conversation.address),
        "agents": list(User.objects.filter(is_active=True).order_by("username")[:200])
        if can_change else [],
        "max_length": adapters.max_text(conversation.channel),
    }


def _prefill(conversation: Conversation) -> dict[str, str]:
    address = conversation.address
    if address.startswith("+"):
        return {"mobile": address}
    if "@" in address:
        return {"email": address}
    return {"last_name": address}


def _may_change(user, conversation: Conversation) -> bool:
    from .api import may_change

    return may_change(user, conversation)


@page
def inbox(request: HttpRequest) -> HttpResponse:
    state = _filters(request)
    threads, next_cursor = _threads(request, state)
    query = {k: v for k, v in state.items() if v}
    context: dict[str, Any] = {
        "state": state, "threads": threads, "next_cursor": next_cursor,
        "query": urlencode(query), "boxes": [("mine", _("Mine")),
                                             ("unassigned", _("Unassigned")), ("all", _("All"))],
        "statuses": [("open", _("Open")), ("waiting", _("Waiting")), ("closed", _("Closed")),
                     ("any", _("Any"))], "channels": Channel.choices,
        "section": "inbox",
    }
    if request.headers.get("HX-Request") and request.GET.get("cursor"):
        return render(request, "inbox/inbox.html#thread-rows", context)
    selected = request.GET.get("c")
    if selected and selected.isdigit():
        conversation = selectors.visible(request.user).filter(pk=int(selected)).first()
        if conversation is not None:
            context.update(_thread_context(request, conversation))
    return render(request, "inbox/inbox.html", context)


@page
def thread(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.get(request.user, conversation_id)
    context = _thread_context(request, conversation)
    if request.headers.get("HX-Request"):
        return render(request, "inbox/inbox.html#thread-pane", context)
    return redirect(f"/inbox/?c={conversation.pk}&box=all&status=any")


@page
def thread_messages(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The thread's messages alone: an open chat refreshes them every few seconds."""
    conversation = selectors.get(request.user, conversation_id)
    return render(request, "inbox/inbox.html#thread-messages",
                  _thread_context(request, conversation))


def _changeable(request: HttpRequest, conversation_id: int) -> Conversation:
    conversation = selectors.get(request.user, conversation_id)
    if not _may_change(request.user, conversation):
        raise access.PermissionDenied(_("You may not change this conversation."))
    return conversation


def _after(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    if request.headers.get("HX-Request"):
        conversation = selectors.get(request.user, conversation.pk)
        response = render(request, "inbox/inbox.html#thread-pane",
                          _thread_context(request, conversation))
        response["HX-Trigger"] = "inbox-changed"
        return response
    return redirect(f"/inbox/?c={conversation.pk}&box=all&status=any")


def _error(request: HttpRequest, conversation: Conversation, text: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        context = _thread_context(request, conversation)
        context["error"] = text
        return render(request, "inbox/inbox.html#thread-pane", context, status=422)
    messages.error(request, text)
    return redirect(f"/inbox/?c={conversation.pk}&box=all&status=any")


@page
@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _changeable(request, conversation_id)
    try:
        services.reply(conversation, request.POST.get("body", ""), request.user)
    except ValidationError as exc:
        return _error(request, conversation, " ".join(exc.messages))
    except (services.Refused, adapters.SendError) as exc:
        return _error(request, conversation, str(exc))
    return _after(request, conversation)


@page
@require_POST
def set_status(request: HttpRequest, conversation_id: int) -> HttpResponse:
    from vinculo.platform import records

    conversation = _changeable(request, conversation_id)
    status = request.POST.get("status", "")
    if status not in Status.values:
        return _error(request, conversation, _("Unknown status."))
    records.update(conversation, {"status": status}, actor=request.user, source="web")
    return _after(request, conversation)


@page
@require_POST
def assign(request: HttpRequest, conversation_id: int) -> HttpResponse:
    from vinculo.platform import records

    conversation = _changeable(request, conversation_id)
    raw = request.POST.get("assignee_id", "")
    assignee = request.user.pk if raw == "me" else (int(raw) if raw.isdigit() else None)
    try:
        records.update(conversation, {"assignee_id": assignee}, actor=request.user,
                       source="web")
    except ValidationError as exc:
        return _error(request, conversation, " ".join(exc.messages))
    return _after(request, conversation)


@page
@require_POST
def convert(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _changeable(request, conversation_id)
    target = request.POST.get("to", "")
    try:
        record = services.convert(conversation, target, request.user)
    except ValidationError as exc:
        return _error(request, conversation, " ".join(exc.messages))
    entity = {"lead": "leads", "case": "cases", "opportunity": "opportunities"}[target]
    messages.success(request, _("Created from the conversation."))
    url = f"/{entity}/{record.pk}/"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@page
@require_POST
def link_contact(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _changeable(request, conversation_id)
    raw = request.POST.get("contact_id", "")
    contact = access.scope(request.user, "contacts", "view").filter(
        pk=int(raw) if raw.isdigit() else 0).first()
    if contact is None:
        return _error(request, conversation, _("Choose a contact you may see."))
    services.attach_contact(conversation, contact, request.user)
    return _after(request, conversation)


@page
@require_POST
def start(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = access.scope(request.user, "contacts", "view").filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    access.require_create(request.user, "conversations")
    try:
        conversation = services.start(contact, request.POST.get("channel") or None, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"/contacts/{contact.pk}/")
    return redirect(f"/inbox/?c={conversation.pk}&box=all&status=any")


# ------------------------------------------------------------------------------ phone


@page
def ringing(request: HttpRequest) -> HttpResponse:
    calls = selectors.ringing(request.user)
    for call in calls:
        call.visible_contact = (call.contact if call.contact_id
                                and access.allows(request.user, call.contact, "view") else None)
        call.new_contact_url = "/contacts/new/?" + urlencode({"phone": call.from_number})
    return render(request, "inbox/ringing.html", {"calls": calls})


class CallLogForm(forms.Form):
    outcome = forms.ChoiceField(choices=[
        ("connected", gettext_lazy("Connected")), ("no_answer", gettext_lazy("No answer")),
        ("voicemail", gettext_lazy("Voicemail")), ("busy", gettext_lazy("Busy"))])
    duration_minutes = forms.IntegerField(min_value=0, max_value=24 * 60, required=False)
    notes = forms.CharField(max_length=5000, required=False)


@page
@require_POST
def log_call(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = access.scope(request.user, "contacts", "view").filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    access.require_create(request.user, "activities")
    form = CallLogForm(request.POST)
    if form.is_valid():
        services.log_call(contact, outcome=form.cleaned_data["outcome"],
                          duration_minutes=form.cleaned_data["duration_minutes"],
                          notes=form.cleaned_data["notes"], actor=request.user)
        messages.success(request, _("Call logged."))
    else:
        messages.error(request, _("The call was not logged: check the outcome and duration."))
    return redirect(f"/contacts/{contact.pk}/?tab=timeline")


def contact_panel(request: HttpRequest, contact: Contact) -> dict | None:
    """The phone and messaging panel on a contact's page."""
    numbers = [n for n in (contact.mobile_e164, contact.phone_e164) if n]
    opt_outs = set(SmsOptOut.objects.filter(number__in=numbers).values_list("number", flat=True))
    recent = list(selectors.inbox(request.user, contact_id=contact.pk)
                  .order_by("-last_message_at", "-id")[:5])
    return {
        "contact": contact, "numbers": [(n, n in opt_outs) for n in numbers],
        "handles": list(contact.handles.order_by("network", "handle")),
        "conversations": recent, "channels": Channel.choices,
        "default_channel": {"phone": "sms", "mail": "email"}.get(
            contact.preferred_channel, contact.preferred_channel) or "sms",
        "outcomes": CallLogForm.base_fields["outcome"].choices,
    }


# ------------------------------------------------------------------------------ settings


class AccountForm(forms.ModelForm):
    secret = forms.CharField(label=gettext_lazy("Auth token or signing secret"), required=False,
                             max_length=200, widget=forms.PasswordInput(render_value=False),
                             help_text=gettext_lazy("Write-only: leave empty to keep it."))

    class Meta:
        model = ChannelAccount
        fields = ["name", "channel", "provider", "address", "account_sid", "secret",
                  "api_base_url", "public_base_url", "queue", "active"]

    def save(self, commit: bool = True) -> ChannelAccount:
        account = super().save(commit=False)
        if not self.cleaned_data.get("secret") and account.pk:
            account.secret = ChannelAccount.objects.get(pk=account.pk).secret
        if commit:
            account.save()
        return account


@admin_page
def accounts(request: HttpRequest) -> HttpResponse:
    rows = list(ChannelAccount.objects.select_related("queue"))
    base = request.build_absolute_uri("/")[:-1]
    return render(request, "inbox/accounts.html", {"accounts": rows, "base": base,
                                                   "section": "channels"})


@admin_page
def account_edit(request: HttpRequest, account_id: int | None = None) -> HttpResponse:
    account = ChannelAccount.objects.filter(pk=account_id).first() if account_id else None
    if account_id and account is None:
        raise Http404
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Channel account saved."))
        return redirect("/settings/channels/")
    return render(request, "inbox/account_form.html", {"form": form, "account": account,
                                                       "section": "channels"})


# ------------------------------------------------------------------------------ webhooks


def _account(key: str) -> ChannelAccount:
    account = ChannelAccount.objects.filter(key=key, active=True).first()
    if account is None:
        raise Http404
    return account


def _refused(exc: adapters.WebhookRefused) -> JsonResponse:
    return JsonResponse({"detail": str(exc)}, status=exc.status)


def twiml(text: str | None = None) -> HttpResponse:
    from xml.sax.saxutils import escape

    inner = f"<Message>{escape(text)}</Message>" if text else ""
    return HttpResponse(f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>',
                        content_type="application/xml")


def _verified(request: HttpRequest, key: str) -> tuple[ChannelAccount, adapters.Adapter]:
    account = _account(key)
    adapter = adapters.for_account(account)
    adapter.verify(request)
    return account, adapter


@csrf_exempt
@require_POST
def hook_sms(request: HttpRequest, key: str) -> HttpResponse:
    """Twilio-style inbound message (form-encoded, `X-Twilio-Signature`)."""
    try:
        account, adapter = _verified(request, key)
        inbound = adapter.parse_inbound(request)
        with transaction.atomic():
            adapters.remember(account, adapter.nonce(request))
            confirmation = None
            for item in inbound:
                _message, said = services.receive(account, item)
                confirmation = confirmation or said
    except adapters.WebhookRefused as exc:
        return _refused(exc)
    return twiml(confirmation)


@csrf_exempt
@require_POST
def hook_status(request: HttpRequest, key: str) -> HttpResponse:
    try:
        account, adapter = _verified(request, key)
        updates = adapter.parse_status(request)
        with transaction.atomic():
            adapters.remember(account, adapter.nonce(request))
            services.apply_status(updates)
    except adapters.WebhookRefused as exc:
        return _refused(exc)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def hook_voice(request: HttpRequest, key: str) -> HttpResponse:
    """Twilio-style voice webhook and status callback: From, To, CallSid, CallStatus."""
    try:
        account, adapter = _verified(request, key)
        if not isinstance(adapter, adapters.TwilioAdapter):
            raise adapters.BadPayload(_("This channel account does not take calls."))
        event = adapter.parse_call(request)
        with transaction.atomic():
            adapters.remember(account, adapter.nonce(request))
            services.call_event(account, event)
    except adapters.WebhookRefused as exc:
        return _refused(exc)
    return twiml()


@csrf_exempt
@require_POST
def hook_events(request: HttpRequest, key: str) -> HttpResponse:
    """Generic signed JSON: messages, social mentions and delivery statuses."""
    try:
        account, adapter = _verified(request, key)
        inbound = adapter.parse_inbound(request)
        updates = adapter.parse_status(request)
        ids = []
        with transaction.atomic():
            adapters.remember(account, adapter.nonce(request))
            for item in inbound:
                message, _said = services.receive(account, item)
                if message is not None:
                    ids.append(message.conversation_id)
            services.apply_status(updates)
    except adapters.WebhookRefused as exc:
        return _refused(exc)
    return JsonResponse({"received": len(inbound), "statuses": len(updates),
                         "conversation_ids": ids}, status=200)
