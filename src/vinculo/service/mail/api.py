"""REST endpoints of e-mail to case: mailboxes (administrators), fetching now, a case's
messages, agents' replies and attachment downloads."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from vinculo.platform import access
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    get_visible,
    page_schema,
)
from vinculo.service.models import Case

from . import selectors, services
from .models import Mailbox
from .schemas import (
    CaseMailOut,
    CaseMailPage,
    CaseReplyIn,
    MailboxFetchOut,
    MailboxIn,
    MailboxOut,
    MailboxPatch,
    MailProblemOut,
)

router = Router(tags=["service_mail"])


def _mailbox(request, mailbox_id: int) -> Mailbox:
    access.require_admin(request.auth)
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None:
        raise Http404
    return mailbox


@router.get("/mailboxes", response={200: page_schema(MailboxOut), 422: ErrorOut, **ERRORS},
            summary="List mailboxes (administrators)")
def list_mailboxes(request, params: Query[PageParams]):
    access.require_admin(request.auth)
    return collection(Mailbox.objects.all(), params, ["id"])


@router.post("/mailboxes", response={201: MailboxOut, 422: ErrorOut, **ERRORS},
             summary="Add a mailbox to poll (administrators)")
def create_mailbox(request, payload: MailboxIn):
    access.require_admin(request.auth)
    return Status(201, services.save_mailbox(None, payload.model_dump()))


@router.get("/mailboxes/{int:mailbox_id}", response={200: MailboxOut, 404: ErrorOut, **ERRORS},
            summary="Read a mailbox (administrators); the password is never returned")
def get_mailbox(request, mailbox_id: int):
    return _mailbox(request, mailbox_id)


@router.patch("/mailboxes/{int:mailbox_id}",
              response={200: MailboxOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
              summary="Change a mailbox (administrators); an empty password keeps it")
def patch_mailbox(request, mailbox_id: int, payload: MailboxPatch):
    mailbox = _mailbox(request, mailbox_id)
    data = payload.model_dump(exclude_unset=True)
    for key in ("name", "host", "port", "security", "username", "folder", "active",
                "auto_acknowledge", "address"):
        if key in data and data[key] is None:
            data.pop(key)
    return services.save_mailbox(mailbox, data)


@router.delete("/mailboxes/{int:mailbox_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Remove a mailbox (its cases and messages stay)")
def delete_mailbox(request, mailbox_id: int):
    _mailbox(request, mailbox_id).delete()
    return HttpResponse(status=204)


@router.post("/mailboxes/{int:mailbox_id}/fetch",
             response={200: MailboxFetchOut, 404: ErrorOut, **ERRORS},
             summary="Fetch the mailbox's new messages now")
def fetch_mailbox(request, mailbox_id: int):
    result = services.fetch(_mailbox(request, mailbox_id), limit=services.PER_RUN)
    return {"mailbox_id": result.mailbox_id, "busy": result.busy, "error": result.error,
            "created_case_ids": result.created, "updated_case_ids": result.added,
            "ignored": result.ignored, "failed": result.failed,
            "duplicates": result.duplicates}


@router.get("/mailboxes/{int:mailbox_id}/problems",
            response={200: list[MailProblemOut], 404: ErrorOut, **ERRORS},
            summary="Messages of the mailbox that could not be read or were ignored")
def mailbox_problems(request, mailbox_id: int):
    return selectors.problem_messages(_mailbox(request, mailbox_id))


def _case(user, case_id: int, action: str = "view") -> Case:
    case = get_visible(user, "cases", case_id, Case.objects.select_related("contact"))
    if action != "view":
        access.require(user, case, action)
    return case


@router.get("/cases/{int:case_id}/messages",
            response={200: CaseMailPage, 404: ErrorOut, **ERRORS},
            summary="The e-mails of a case (in and out), oldest first")
def case_messages(request, case_id: int):
    return {"items": selectors.case_messages(_case(request.auth, case_id))}


@router.post("/cases/{int:case_id}/replies",
             response={201: CaseMailOut, 404: ErrorOut, 422: ErrorOut, 502: ErrorOut, **ERRORS},
             summary="Reply to the customer by e-mail, threaded under the case's messages")
def case_reply(request, case_id: int, payload: CaseReplyIn):
    case = _case(request.auth, case_id, "change")
    try:
        row = services.reply(case, request.auth, body=payload.body, to=payload.to,
                             cc=payload.cc, subject=payload.subject)
    except services.SendFailed as exc:
        raise HttpError(502, _("The mail server did not accept the message: %(error)s") % {
            "error": str(exc)[:300]}) from None
    return Status(201, row)


@router.get("/mail-attachments/{int:attachment_id}/download",
            response={200: None, 404: ErrorOut, **ERRORS},
            summary="Download an attachment of a case you may see")
def download_attachment(request, attachment_id: int):
    attachment = selectors.visible_attachment(request.auth, attachment_id)
    if attachment is None or not attachment.file:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.filename,
                        content_type=attachment.content_type or "application/octet-stream")
