"""Writes of the leads module: conversion, web-form submissions, engagement, rules and forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity
from vinculo.platform import access, customfields, records

from . import scoring, selectors
from .models import EngagementEvent, Lead, LeadEvent, ScoringRule, Status, WebForm


class AlreadyConverted(Exception):
    """The lead was converted already (HTTP 409)."""


@dataclass
class Conversion:
    contact_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"contact_id": self.contact_id, "account_id": self.account_id,
                "opportunity_id": self.opportunity_id, "warnings": self.warnings}


# ---------------------------------------------------------------------------- conversion


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return ValidationError({f"{prefix}.{key}" if key != "__all__" else prefix: value
                            for key, value in messages.items()})


def _custom_for(entity: str, values: dict[str, Any], existing: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    """The lead's custom values whose key is a custom field of `entity` and whose value that
    field accepts (values already set on an existing record are kept)."""
    definitions = customfields.definitions(entity)
    copied = {}
    for key, value in (values or {}).items():
        definition = definitions.get(key)
        if definition is None or (existing and existing.get(key) not in (None, "", [])):
            continue
        try:
            if customfields.coerce(definition, value) is not None:
                copied[key] = value
        except ValidationError:
            continue
    return copied


def _visible(user, entity: str, pk: Any, key: str):
    from vinculo.platform import registry

    model = registry.get(entity).model
    obj = access.scope(user, entity, "view", model.objects.filter(pk=pk)).first() if (
        isinstance(pk, int) and not isinstance(pk, bool)) else None
    if obj is None:
        raise ValidationError({key: [_("No such record: %(id)s.") % {"id": pk}]})
    return obj


def default_pipeline():
    from vinculo.sales.pipeline.models import Pipeline

    return (Pipeline.objects.filter(is_default=True, active=True).order_by("order", "id").first()
            or Pipeline.objects.filter(active=True).order_by("order", "id").first())


def _first_open_stage(pipeline):
    from vinculo.sales.pipeline.models import Stage, StageKind

    return (Stage.objects.filter(pipeline=pipeline, kind=StageKind.OPEN)
            .order_by("order", "id").first()
            or Stage.objects.filter(pipeline=pipeline).order_by("order", "id").first())


def convert_lead(lead: Lead, *, actor: Any, account_id: int | None = None,
                 create_account: bool | None = None, contact_id: int | None = None,
                 create_contact: bool | None = None,
                 opportunity: dict[str, Any] | None = None) -> Conversion:
    """Turn a lead into a contact, an account and optionally an opportunity, in one transaction.

    By default an existing contact with the lead's email and an existing account with its
    company name or domain are linked instead of creating new ones; `account_id`/`contact_id`
    choose another, `create_account`/`create_contact` force (true) or skip (false) a new one.
    The lead's activities move to the contact (and account), its custom values go to the
    records whose entity has a custom field with the same key, and the lead is marked
    converted. Raises AlreadyConverted, access.PermissionDenied or ValidationError.
    """
    access.require(actor, lead, "change")
    result = Conversion()
    with transaction.atomic():
        locked = Lead.all_objects.select_for_update().get(pk=lead.pk)
        if locked.status == Status.CONVERTED or locked.converted_at is not None:
            raise AlreadyConverted(_("This lead was converted already."))
        if locked.deleted_at is not None:
            raise ValidationError({"__all__": [_("This lead is in the recycle bin.")]})
        lead = locked
        owner_id = lead.owner_id or getattr(actor, "pk", None)
        context = {"lead_conversion": lead.pk}
        make = {"actor": actor, "source": "convert", "context": context}

        # The account.
        account = None
        if account_id is not None:
            account = _visible(actor, "accounts", account_id, "account_id")
        elif create_account is not False:
            matches = [] if create_account else selectors.account_candidates(actor, lead)
            if matches:
                account = matches[0]
            elif lead.company or create_account:
                data = {"name": lead.company, "website": lead.website, "industry": lead.industry,
                        "employees": lead.employees, "street": lead.street, "city": lead.city,
                        "region": lead.region, "postal_code": lead.postal_code,
                        "country": lead.country, "domain": selectors.lead_domain(lead),
                        "owner_id": owner_id,
                        "custom": _custom_for("accounts", lead.custom)}
                try:
                    account = records.create("accounts", data, **make)
                except ValidationError as exc:
                    raise _prefixed(exc, "account") from None
        if account is not None:
            custom = _custom_for("accounts", lead.custom, account.custom)
            if custom and access.allows(actor, account, "change"):
                try:
                    records.update(account, {"custom": custom}, **make)
                except ValidationError as exc:
                    raise _prefixed(exc, "account") from None
        result.account_id = account.pk if account else None

        # The contact.
        contact, existing = None, False
        if contact_id is not None:
            contact, existing = _visible(actor, "contacts", contact_id, "contact_id"), True
        elif create_contact is not False:
            email = (lead.email or "").strip().lower()
            matches = [] if create_contact or not email else [
                c for c in selectors.contact_candidates(actor, lead) if c.email == email]
            if matches:
                contact, existing = matches[0], True
            elif lead.first_name or lead.last_name or lead.email or create_contact:
                data = {"first_name": lead.first_name, "last_name": lead.last_name,
                        "email": lead.email, "phone": lead.phone, "title": lead.title,
                        "street": lead.street, "city": lead.city, "region": lead.region,
                        "postal_code": lead.postal_code, "country": lead.country,
                        "account_id": account.pk if account else None,
                        "email_opt_in": lead.email_opt_in, "owner_id": owner_id,
                        "custom": _custom_for("contacts", lead.custom)}
                if lead.email_opt_in:
                    data["email_opt_in_at"] = lead.consent_at or lead.created_at
                    data["email_opt_in_source"] = (
                        _("Web form") if lead.consent_at else _("Lead"))[:120]
                try:
                    contact = records.create("contacts", data, **make)
                except ValidationError as exc:
                    raise _prefixed(exc, "contact") from None
        if existing:
            # An existing contact gains the account if it had none, and the lead's custom
            # values it lacks, when the user may change it.
            changes: dict[str, Any] = {}
            if account and not contact.account_id:
                changes["account_id"] = account.pk
            custom = _custom_for("contacts", lead.custom, contact.custom)
            if custom:
                changes["custom"] = custom
            if changes and access.allows(actor, contact, "change"):
                try:
                    records.update(contact, changes, **make)
                except ValidationError as exc:
                    raise _prefixed(exc, "contact") from None
        result.contact_id = contact.pk if contact else None

        # The opportunity.
        opportunity_obj = None
        if opportunity is not None:
            opportunity = dict(opportunity)
            pipeline_id = opportunity.get("pipeline_id")
            stage_id = opportunity.get("stage_id")
            if pipeline_id is None and stage_id is None:
                pipeline = default_pipeline()
                stage = _first_open_stage(pipeline) if pipeline else None
                if stage is None:
                    result.warnings.append(_(
                        "No active pipeline with stages: the lead was converted without an "
                        "opportunity."))
                else:
                    pipeline_id, stage_id = pipeline.pk, stage.pk
            elif stage_id is None:
                from vinculo.sales.pipeline.models import Pipeline

                pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
                stage = _first_open_stage(pipeline) if pipeline else None
                stage_id = stage.pk if stage else None
            elif pipeline_id is None:
                from vinculo.sales.pipeline.models import Stage

                pipeline_id = Stage.objects.filter(pk=stage_id).values_list(
                    "pipeline_id", flat=True).first()
            if stage_id is not None or pipeline_id is not None:
                data = {"name": opportunity.get("name") or lead.company or str(lead),
                        "account_id": account.pk if account else None,
                        "contact_id": contact.pk if contact else None,
                        "pipeline_id": pipeline_id, "stage_id": stage_id,
                        "owner_id": owner_id,
                        "custom": _custom_for("opportunities", lead.custom)}
                for key in ("amount", "currency", "expected_close_date"):
                    if opportunity.get(key) is not None:
                        data[key] = opportunity[key]
                try:
                    opportunity_obj = records.create("opportunities", data, **make)
                except ValidationError as exc:
                    raise _prefixed(exc, "opportunity") from None
        result.opportunity_id = opportunity_obj.pk if opportunity_obj else None

        # The lead's activities follow it (they keep their lead too).
        moves: dict[str, Any] = {}
        if contact is not None:
            moves["contact_id"] = contact.pk
        if account is not None:
            moves["account_id"] = account.pk
        if moves:
            for activity in Activity.objects.filter(lead_id=lead.pk).order_by("id"):
                data = {k: v for k, v in moves.items() if getattr(activity, k) is None}
                if data:
                    records.update(activity, data, actor=actor, source="convert",
                                   context=context)

        records.update(lead, {"status": Status.CONVERTED}, actor=actor, source="convert",
                       context={**context, "conversion": result})
    return result


# ---------------------------------------------------------------------------- engagement


def record_engagement(lead_id: int, kind: str, *, form: WebForm | None = None,
                      detail: dict[str, Any] | None = None) -> LeadEvent:
    """Log something the lead did that is not an activity (a form submission, a click in an
    email) and rescore the lead. Other modules (email tracking) call this."""
    if kind not in EngagementEvent.values or kind == EngagementEvent.ACTIVITY:
        raise ValueError(f"Unknown engagement kind {kind!r}")
    with transaction.atomic():
        event = LeadEvent.objects.create(lead_id=lead_id, kind=kind, form=form,
                                         detail=detail or {})
        scoring.rescore(lead_id)
    return event


# ---------------------------------------------------------------------------- web forms

# Lead fields a web form may ask for, and the input type of each.
FORM_FIELDS = {
    "first_name": "text", "last_name": "text", "company": "text", "title": "text",
    "email": "email", "phone": "tel", "website": "url", "industry": "text",
    "employees": "number", "street": "text", "city": "text", "region": "text",
    "postal_code": "text", "country": "text", "description": "textarea",
}


def clean_form_fields(value: Any) -> list[dict[str, Any]]:
    """The field list of a web form, checked: known lead fields or custom fields of leads,
    each once, with English and Spanish labels and a required flag."""
    if not isinstance(value, list) or not value:
        raise ValidationError({"fields": [_("List at least one field.")]})
    if len(value) > 40:
        raise ValidationError({"fields": [_("At most 40 fields.")]})
    custom = customfields.definitions("leads")
    cleaned, seen = [], set()
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValidationError({f"fields.{i}": [_("Expected an object with a name.")]})
        name = item["name"].strip()
        if name.startswith("custom."):
            if name[7:] not in custom:
                raise ValidationError({f"fields.{i}.name": [_("Unknown custom field.")]})
        elif name not in FORM_FIELDS:
            raise ValidationError({f"fields.{i}.name": [_("A web form cannot ask for this.")]})
        if name in seen:
            raise ValidationError({f"fields.{i}.name": [_("This field is listed twice.")]})
        seen.add(name)
        entry = {"name": name, "required": bool(item.get("required", False))}
        for key in ("label_en", "label_es"):
            text = item.get(key) or ""
            if not isinstance(text, str) or len(text) > 200:
                raise ValidationError({f"fields.{i}.{key}": [_("Expected a text of at most 200 "
                                                               "characters.")]})
            entry[key] = text.strip()
        cleaned.append(entry)
    missing = [f"custom.{key}" for key, d in custom.items()
               if d.required and f"custom.{key}" not in seen]
    if missing:
        raise ValidationError({"fields": [_(
            "Leads need these fields: ask for them too: %(fields)s.") % {
                "fields": ", ".join(missing)}]})
    if not seen & {"email", "last_name", "first_name", "company"}:
        raise ValidationError({"fields": [_(
            "Ask for at least a name, a company or an email address.")]})
    return cleaned


def web_form_save(data: dict[str, Any], form: WebForm | None = None, *,
                  expected_version: int | None = None) -> WebForm:
    """Create or change a web form (administrators; the caller checks)."""
    from .models import Source

    with transaction.atomic():
        if form is not None:
            form = WebForm.objects.select_for_update().get(pk=form.pk)
            if expected_version is not None and form.version != expected_version:
                raise records.StaleVersion(form.version)
        else:
            form = WebForm()
        errors: dict[str, list[str]] = {}
        for key, value in data.items():
            if key == "fields":
                try:
                    form.fields = clean_form_fields(value)
                except ValidationError as exc:
                    errors.update(exc.message_dict)
                continue
            if key == "owner_id":
                from vinculo.identity.models import User

                if value is not None and not User.objects.filter(pk=value,
                                                                 is_active=True).exists():
                    errors["owner_id"] = [_("No such user: %(id)s.") % {"id": value}]
                form.owner_id = value
                continue
            if value is None:
                value = "" if key != "owner_id" else None
            setattr(form, key, value)
        if form.source not in Source.values:
            errors["source"] = [_("Unknown source.")]
        if not form.fields and not any(k.startswith("fields") for k in errors):
            errors["fields"] = [_("List at least one field.")]
        if not errors:
            try:
                form.full_clean(exclude=["fields"], validate_unique=True)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        if form.pk:
            form.version += 1
        form.updated_at = timezone.now()
        form.save()
    return form


@dataclass
class Submission:
    lead: Lead | None
    errors: dict[str, list[str]]
    spam: bool = False


def submit_web_form(form: WebForm, values: dict[str, str], *, consent: bool, language: str,
                    ip: str = "") -> Submission:
    """Create a lead from a web-form submission (the public page has checked the honeypot
    and the rate limit). Returns the lead or the errors per form field."""
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for entry in form.fields:
        name = entry["name"]
        value = (values.get(name) or "").strip()
        if entry.get("required") and not value:
            errors[name] = [_("This field is required.")]
            continue
        if not value:
            continue
        if name.startswith("custom."):
            custom[name[7:]] = value
        else:
            data[name] = value
    consent_text = form.text("consent_text", language)
    if consent_text and form.consent_required and not consent:
        errors["consent"] = [_("Please accept to continue.")]
    if errors:
        return Submission(None, errors)
    if custom:
        data["custom"] = custom
    data["source"] = form.source
    if not form.use_assignment_rules and form.owner_id:
        data["owner_id"] = form.owner_id
    context: dict[str, Any] = {"web_form": form.pk}
    if consent_text and consent:
        data["email_opt_in"] = True
        context["consent"] = {"text": consent_text[:500], "at": timezone.now()}
    try:
        with transaction.atomic():
            lead = records.create("leads", data, actor=None, source="web", context=context)
            if lead.owner_id is None and form.owner_id:
                # No assignment rule took the lead: the form's owner gets it.
                lead = records.update(lead, {"owner_id": form.owner_id}, source="web",
                                      context=context)
            WebForm.objects.filter(pk=form.pk).update(submissions=F("submissions") + 1)
            record_engagement(lead.pk, EngagementEvent.FORM_SUBMISSION, form=form,
                              detail={"form": form.name, "ip": ip[:64], "language": language})
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        known = {e["name"] for e in form.fields}
        mapped: dict[str, list[str]] = {}
        for key, value in messages.items():
            mapped.setdefault(key if key in known else "__all__", []).extend(value)
        return Submission(None, mapped)
    lead.refresh_from_db()
    return Submission(lead, {})


# ---------------------------------------------------------------------------- scoring rules


RULE_FIELDS = ("name", "kind", "condition", "event", "activity_kind", "within_days", "points",
               "max_points", "active", "order")


def scoring_rule_save(data: dict[str, Any], rule: ScoringRule | None = None, *,
                      expected_version: int | None = None) -> ScoringRule:
    """Create or change a scoring rule (administrators); every lead is rescored after."""
    with transaction.atomic():
        if rule is not None:
            rule = ScoringRule.objects.select_for_update().get(pk=rule.pk)
            if expected_version is not None and rule.version != expected_version:
                raise records.StaleVersion(rule.version)
        else:
            rule = ScoringRule()
        for key, value in data.items():
            if key not in RULE_FIELDS:
                raise ValidationError({key: [_("Unknown field.")]})
            if value is None and key in ("name", "kind", "points", "active", "order"):
                raise ValidationError({key: [_("This field cannot be null.")]})
            if value is None and key in ("event", "activity_kind"):
                value = ""
            if value is None and key == "condition":
                value = {}
            setattr(rule, key, value)
        scoring.clean_rule(rule)
        rule.full_clean()
        if rule.pk:
            rule.version += 1
        rule.updated_at = timezone.now()
        rule.save()
        scoring.schedule_rescore_all()
    return rule


def scoring_rule_delete(rule: ScoringRule) -> None:
    with transaction.atomic():
        rule.delete()
        scoring.schedule_rescore_all()
