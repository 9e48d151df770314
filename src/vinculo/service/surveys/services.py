"""Survey writes: inviting (a resolved case, a segment or list), signed answer links,
answers stored on the case, the contact and the timeline."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from vinculo.channels import sender as outbound
from vinculo.channels.models import MessageStatus, OutboundMessage
from vinculo.platform import records

from .models import (
    Invitation,
    InvitationStatus,
    QueueSetting,
    Survey,
    SurveyKind,
    SurveyResponse,
)

logger = logging.getLogger(__name__)

SALT = "vinculo.surveys.answer"
KIND = "survey"
CHUNK = 200
# Spanish-speaking countries: a contact there is asked in Spanish unless they say otherwise.
SPANISH = {"ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY",
           "SV", "NI", "CR", "PA", "UY", "PR", "GQ"}


# ---------------------------------------------------------------------------- settings


def answer_window() -> dt.timedelta:
    """How long after the first answer a customer may still change it."""
    return dt.timedelta(days=getattr(settings, "VINCULO_SURVEY_EDIT_DAYS", 7))


def link_max_age() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "VINCULO_SURVEY_LINK_DAYS", 30))


def contact_language(contact: Any) -> str:
    """The contact's language: a custom field `language` ("en"/"es") when set, else Spanish
    for a Spanish-speaking country, else the site's language."""
    custom = str((getattr(contact, "custom", None) or {}).get("language") or "").lower()[:2]
    if custom in ("en", "es"):
        return custom
    if (contact.country or "").upper() in SPANISH:
        return "es"
    return "es" if settings.LANGUAGE_CODE.startswith("es") else "en"


# ---------------------------------------------------------------------------- tokens


class BadLink(Exception):
    """Tampered, cut short, or naming an invitation that does not exist."""


class ExpiredLink(BadLink):
    pass


def make_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"i": invitation.pk})


def read_token(token: str) -> Invitation:
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=link_max_age())
    except signing.SignatureExpired as exc:
        raise ExpiredLink(str(exc)) from exc
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise BadLink(str(exc)) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
        raise BadLink("no invitation")
    invitation = (Invitation.objects.select_related("survey", "case", "contact")
                  .filter(pk=payload["i"]).first())
    if invitation is None:
        raise BadLink("unknown invitation")
    return invitation


def answer_url(invitation: Invitation) -> str:
    return f"{outbound.site_url()}/s/{make_token(invitation)}/"


# ---------------------------------------------------------------------------- surveys


def case_survey() -> Survey:
    """The CSAT survey resolved cases send (made on first use)."""
    survey = Survey.objects.filter(is_case_survey=True).first()
    if survey is not None:
        return survey
    try:
        with transaction.atomic():
            return Survey.objects.create(
                kind=SurveyKind.CSAT, is_case_survey=True, name="Case satisfaction",
                question_en="How satisfied are you with how we handled your request?",
                question_es="¿Qué tan satisfecho está con la atención a su solicitud?")
    except IntegrityError:
        return Survey.objects.get(is_case_survey=True)


def survey_create(*, kind: str, name: str, question_en: str = "", question_es: str = "",
                  actor: Any) -> Survey:
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": [_("Use csat or nps.")]})
    if not name.strip():
        raise ValidationError({"name": [_("Give the survey a name.")]})
    return Survey.objects.create(kind=kind, name=name.strip(), question_en=question_en,
                                 question_es=question_es, created_by=actor)


def question(survey: Survey, language: str) -> str:
    text = survey.question_es if language == "es" else survey.question_en
    if text:
        return text
    with translation.override(language):
        if survey.kind == SurveyKind.NPS:
            return _("How likely are you to recommend us to a friend or colleague?")
        return _("How satisfied are you with how we handled your request?")


def queue_csat_enabled(queue_id: int | None) -> bool:
    if queue_id is None:
        return True
    row = QueueSetting.objects.filter(queue_id=queue_id).values_list("csat_enabled",
                                                                     flat=True).first()
    return True if row is None else row


def set_queue_csat(queue_id: int, enabled: bool) -> None:
    QueueSetting.objects.update_or_create(queue_id=queue_id,
                                          defaults={"csat_enabled": enabled})


# ---------------------------------------------------------------------------- CSAT


def may_receive(contact: Any) -> bool:
    """A service survey needs an address and respects "do not contact" (it is not marketing,
    so the marketing opt-in is not required)."""
    return bool(contact and contact.email and not contact.do_not_contact)


def invite_for_case(case_id: int) -> Invitation | None:
    """Send the CSAT survey of a resolved case once (None when nothing is sent)."""
    from vinculo.service.models import Case, Status

    case = Case.objects.select_related("contact").filter(pk=case_id).first()
    if case is None or case.status not in (Status.RESOLVED, Status.CLOSED) \
            or case.merged_into_id or not may_receive(case.contact) \
            or not queue_csat_enabled(case.queue_id):
        return None
    survey = case_survey()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                survey=survey, contact=case.contact, case=case, email=case.contact.email,
                language=contact_language(case.contact), status=InvitationStatus.SENDING)
    except IntegrityError:
        return None  # already invited for this case
    _send_now(invitation)
    return invitation


def _content(invitation: Invitation) -> tuple[str, str, str]:
    survey, language = invitation.survey, invitation.language
    url = answer_url(invitation)
    with translation.override(language):
        if invitation.case_id:
            subject = _("How did we do? Case #%(id)s") % {"id": invitation.case_id}
            intro = _("Your request “%(subject)s” was resolved.") % {
                "subject": invitation.case.subject}
        else:
            subject = _("A quick question from us")
            intro = ""
        ask = question(survey, language)
        action = _("Answer (one click, no sign-in)")
    text = "\n\n".join(x for x in (intro, ask, f"{action}: {url}") if x)
    html = "".join([f"<p>{escape(intro)}</p>" if intro else "", f"<p>{escape(ask)}</p>",
                    f'<p><a href="{escape(url)}">{escape(action)}</a></p>'])
    return subject, text, html


def _send_now(invitation: Invitation) -> None:
    subject, text, html = _content(invitation)
    try:
        row = outbound.send_one(KIND, invitation.email, subject, text=text, html=html,
                                ref_id=invitation.pk)
    except Exception as exc:
        logger.warning("Survey invitation %s not sent", invitation.pk, exc_info=True)
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.FAILED,
                                                           error=str(exc)[:2000])
        return
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.SENT, message=row, sent_at=timezone.now())


# ---------------------------------------------------------------------------- NPS to many


def consent_q() -> Q:
    """The marketing e-mail module's consent rule (opt-in, not "do not contact", an address)."""
    from vinculo.marketing.emails.services import consent_q as marketing_consent

    return marketing_consent()


def audience(user: Any, *, segment_id: int | None, list_id: int | None) -> Any:
    """The contacts `user` may see in the segment or list (a queryset)."""
    from vinculo.marketing.lists import selectors as lists
    from vinculo.marketing.segments import selectors as segments

    if (segment_id is None) == (list_id is None):
        raise ValidationError({"segment_id": [_("Give either segment_id or list_id.")]})
    if segment_id is not None:
        segment = segments.visible_segments(user).filter(pk=segment_id).first()
        if segment is None:
            raise ValidationError({"segment_id": [_("No such segment.")]})
        if segment.entity != "contacts":
            raise ValidationError({"segment_id": [_("The segment must be of contacts.")]})
        return segments.members(user, segment)
    static_list = lists.visible_lists(user).filter(pk=list_id).first()
    if static_list is None:
        raise ValidationError({"list_id": [_("No such list.")]})
    if static_list.entity != "contacts":
        raise ValidationError({"list_id": [_("The list must be of contacts.")]})
    return lists.members(user, static_list)


def send_survey(survey: Survey, *, actor: Any, segment_id: int | None = None,
                list_id: int | None = None) -> dict[str, int]:
    """Invite the consenting contacts of a segment or list (each contact once per survey) and
    send in the background."""
    if survey.is_case_survey:
        raise ValidationError({"survey": [_("The case survey is sent when cases are "
                                            "resolved.")]})
    members = audience(actor, segment_id=segment_id, list_id=list_id)
    total = members.count()
    kept = members.filter(consent_q())
    already = set(Invitation.objects.filter(survey=survey, case__isnull=True)
                  .values_list("contact_id", flat=True))
    rows = []
    for contact in kept.only("pk", "email", "country", "custom").iterator(chunk_size=1000):
        if contact.pk not in already:
            rows.append(Invitation(survey=survey, contact_id=contact.pk, email=contact.email,
                                   language=contact_language(contact)))
    with transaction.atomic():
        Invitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    from .tasks import send_invitations_task

    transaction.on_commit(lambda: send_invitations_task.enqueue(survey.pk))
    eligible = kept.count()
    return {"queued": len(rows), "already_invited": eligible - len(rows),
            "excluded": total - eligible}


def _claim(survey_id: int, size: int) -> list[Invitation]:
    """Mark up to `size` queued invitations `sending` (each claimed once, by one worker)."""
    with transaction.atomic():
        qs = Invitation.objects.filter(survey_id=survey_id, status=InvitationStatus.QUEUED)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return []
        Invitation.objects.filter(pk__in=ids, status=InvitationStatus.QUEUED).update(
            status=InvitationStatus.SENDING)
    return list(Invitation.objects.filter(pk__in=ids).select_related("survey", "case")
                .order_by("pk"))


def send_queued(survey_id: int, *, chunk: int = CHUNK, per_minute: float | None = None
                ) -> dict[str, int]:
    """Send a survey's queued invitations in batches over one mail connection."""
    totals = {"sent": 0, "failed": 0}
    with outbound.Sender(per_minute=per_minute) as sender:
        while claimed := _claim(survey_id, chunk):
            sent, failed = [], []
            for invitation in claimed:
                subject, text, html = _content(invitation)
                row = outbound.prepare(KIND, invitation.email, subject, ref_id=invitation.pk)
                invitation.message = row
                try:
                    sender.send(outbound.build(row, text=text, html=html))
                except smtplib.SMTPRecipientsRefused as exc:
                    failed.append((invitation, str(exc)))
                    continue
                except Exception as exc:
                    failed.append((invitation, str(exc)))
                    _record(sent, failed)
                    raise
                sent.append(invitation)
            _record(sent, failed)
            totals["sent"] += len(sent)
            totals["failed"] += len(failed)
    return totals


def _record(sent: list[Invitation], failed: list[tuple[Invitation, str]]) -> None:
    now = timezone.now()
    for invitation in sent:
        Invitation.objects.filter(pk=invitation.pk).update(
            status=InvitationStatus.SENT, sent_at=now, message=invitation.message)
    OutboundMessage.objects.filter(pk__in=[i.message_id for i in sent]).update(
        status=MessageStatus.SENT, sent_at=now)
    for invitation, error in failed:
        Invitation.objects.filter(pk=invitation.pk).update(
            status=InvitationStatus.FAILED, error=error[:2000], message=invitation.message)
        OutboundMessage.objects.filter(pk=invitation.message_id).update(
            status=MessageStatus.FAILED, error=error[:2000])
    sent.clear()
    failed.clear()


# ---------------------------------------------------------------------------- answers


class AnswerClosed(Exception):
    """Answered long enough ago that the answer is final."""


def parse_answer(survey: Survey, score: Any, comment: Any) -> tuple[int, str]:
    low, high = survey.scale
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise ValidationError({"score": [_("Choose a score from %(low)s to %(high)s.") % {
            "low": low, "high": high}]})
    text = str(comment or "").replace("\x00", "").strip()
    if len(text) > 5000:
        raise ValidationError({"comment": [_("Keep the comment under 5,000 characters.")]})
    return value, text


def answer(invitation: Invitation, score: Any, comment: Any = "") -> SurveyResponse:
    """Store (or, within the window, change) the answer; the case, the contact's NPS and the
    timeline follow in the same transaction."""
    value, text = parse_answer(invitation.survey, score, comment)
    now = timezone.now()
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        response = SurveyResponse.objects.filter(invitation=locked).first()
        if response is not None and response.answered_at + answer_window() < now:
            raise AnswerClosed
        if response is None:
            response = SurveyResponse(invitation=locked, survey_id=locked.survey_id,
                                      contact_id=locked.contact_id, case_id=locked.case_id,
                                      answered_at=now)
        response.score, response.comment, response.updated_at = value, text, now
        response.save()
        _apply(invitation, response)
    return response


def _apply(invitation: Invitation, response: SurveyResponse) -> None:
    from vinculo.customers.models import Contact
    from vinculo.service.models import Case

    survey = invitation.survey
    case = Case.all_objects.filter(pk=response.case_id).first() if response.case_id else None
    if survey.kind == SurveyKind.CSAT and case is not None and case.satisfaction != response.score:
        records.update(case, {"satisfaction": response.score}, actor=None, source="survey")
    if survey.kind == SurveyKind.NPS and response.contact_id:
        Contact.all_objects.filter(pk=response.contact_id).update(nps_score=response.score)
    _timeline(survey, case, response)


def _timeline(survey: Survey, case: Any, response: SurveyResponse) -> None:
    from vinculo.activities.models import Activity
    from vinculo.customers.models import Contact

    contact = Contact.all_objects.filter(pk=response.contact_id).first()
    low, high = survey.scale
    with translation.override(settings.LANGUAGE_CODE):
        if survey.kind == SurveyKind.NPS:
            subject = _("NPS answer: %(score)s of %(high)s (%(survey)s)") % {
                "score": response.score, "high": high, "survey": survey.name}
        else:
            subject = _("Satisfaction: %(score)s of %(high)s") % {
                "score": response.score, "high": high}
    data = {"subject": subject[:300], "body": response.comment}
    activity = Activity.all_objects.filter(pk=response.activity_id).first() \
        if response.activity_id else None
    if activity is not None:
        records.update(activity, data, actor=None, source="survey")
        return
    owner = (case.owner_id if case is not None else None) or (contact.owner_id if contact
                                                               else None)
    activity = records.create("activities", {
        **data, "kind": "note", "direction": "inbound", "occurred_at": response.answered_at,
        "contact_id": response.contact_id, "case_id": case.pk if case is not None else None,
        "account_id": (case.account_id if case is not None else None)
        or (contact.account_id if contact else None), "owner_id": owner,
    }, actor=None, source="survey")
    SurveyResponse.objects.filter(pk=response.pk).update(activity=activity)
    response.activity = activity
