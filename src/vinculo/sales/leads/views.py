"""Pages of leads: the generic record pages (declared here) plus the conversion, the web-form
and scoring-rule settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.platform import access
from vinculo.web.base import admin_page, page
from vinculo.web.resources import Resource, Section, register

from . import services
from .models import Lead, ScoringRule, Status, WebForm

leads = register(Resource(
    entity="leads",
    icon="contacts",
    sections=(
        Section(gettext_lazy("Person"), ("first_name", "last_name", "title", "email", "phone")),
        Section(gettext_lazy("Company"), ("company", "website", "industry", "employees")),
        Section(gettext_lazy("Address"), ("street", "city", "region", "postal_code", "country")),
        Section(gettext_lazy("Qualification"), ("source", "status", "disqualified_reason",
                                                "email_opt_in", "description", "owner_id")),
    ),
    read_only=("score", "consent_text", "consent_at", "converted_at", "created_at",
               "updated_at"),
    timeline=True,
    quick_add=True,
    detail_extra="leads/lead_panels.html",
))


# ---------------------------------------------------------------------------- conversion


def _choice(value: str, other: str = "") -> tuple[str, int | None]:
    """A dialog choice: "auto", "new", "none", the id of a candidate, or "other" with the id
    picked in the search box."""
    value = (value or "auto").strip()
    if value == "other":
        value = (other or "").strip()
        if not value:
            return "missing", None
    if value.isdigit() and 0 < int(value) < 2**63:
        return "existing", int(value)
    return (value if value in ("auto", "new", "none") else "auto"), None


def conversion_context(user, lead: Lead) -> dict:
    from vinculo.sales.pipeline.models import Pipeline, Stage

    from .api import candidates

    found = candidates(user, lead)
    pipelines = list(Pipeline.objects.filter(active=True).order_by("order", "id"))
    stages = list(Stage.objects.filter(pipeline__in=pipelines).order_by("pipeline_id", "order",
                                                                          "id"))
    return {"lead": lead, "candidates": found, "pipelines": pipelines, "stages": stages,
            "default_name": lead.company or str(lead)}


@page
def convert_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/leads/<id>/convert/`: the conversion form (the dialog's page), and its POST."""
    user = request.user
    lead = access.scope(user, "leads", "view", Lead.objects.filter(pk=pk)).first()
    if lead is None:
        raise Http404
    access.require(user, lead, "change")
    if lead.status == Status.CONVERTED:
        messages.info(request, _("This lead was converted already."))
        return redirect(f"/leads/{lead.pk}/")
    errors: list[str] = []
    if request.method == "POST":
        account_mode, account_id = _choice(request.POST.get("account"),
                                           request.POST.get("account_other"))
        contact_mode, contact_id = _choice(request.POST.get("contact"),
                                           request.POST.get("contact_other"))
        opportunity = None
        if request.POST.get("create_opportunity"):
            opportunity = {"name": request.POST.get("opportunity_name", "").strip()[:200]}
            for key in ("amount", "expected_close_date"):
                value = request.POST.get(f"opportunity_{key}", "").strip()
                if value:
                    opportunity[key] = value[:40]
            for key in ("pipeline_id", "stage_id"):
                value = request.POST.get(f"opportunity_{key}", "").strip()
                if value.isdigit() and 0 < int(value) < 2**63:
                    opportunity[key] = int(value)
        missing = [label for mode, label in ((account_mode, _("Search and pick the account.")),
                                             (contact_mode, _("Search and pick the contact.")))
                   if mode == "missing"]
        try:
            if missing:
                raise ValidationError(missing)
            result = services.convert_lead(
                lead, actor=user, account_id=account_id,
                create_account={"new": True, "none": False}.get(account_mode),
                contact_id=contact_id,
                create_contact={"new": True, "none": False}.get(contact_mode),
                opportunity=opportunity)
        except services.AlreadyConverted as exc:
            messages.info(request, str(exc))
            return redirect(f"/leads/{lead.pk}/")
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            errors = [f"{key}: {msg}" if key and key != "__all__" else msg
                      for key, msgs in found.items() for msg in msgs]
        else:
            messages.success(request, _("Lead converted."))
            for warning in result.warnings:
                messages.warning(request, warning)
            if result.contact_id:
                return redirect(f"/contacts/{result.contact_id}/")
            if result.account_id:
                return redirect(f"/accounts/{result.account_id}/")
            return redirect(f"/leads/{lead.pk}/")
    context = conversion_context(user, lead)
    context.update({"errors": errors, "title": _("Convert %(lead)s") % {"lead": lead}})
    return render(request, "leads/convert.html", context, status=422 if errors else 200)


# ---------------------------------------------------------------------------- settings


def _field_rows(post) -> list[dict]:
    """The web form's field list from the settings form's repeated inputs."""
    rows = []
    for i in range(40):
        name = (post.get(f"field-{i}-name") or "").strip()
        if not name:
            continue
        rows.append({"name": name, "label_en": post.get(f"field-{i}-label_en", "")[:200],
                     "label_es": post.get(f"field-{i}-label_es", "")[:200],
                     "required": bool(post.get(f"field-{i}-required"))})
    return rows


WEB_FORM_TEXT = ("name", "title_en", "title_es", "thank_you_en", "thank_you_es", "redirect_url",
                 "consent_text_en", "consent_text_es", "source")


def _field_choices() -> list[tuple[str, str]]:
    from vinculo.platform import customfields

    choices = [(name, str(Lead._meta.get_field(name).verbose_name).capitalize())
               for name in services.FORM_FIELDS]
    choices += [(f"custom.{key}", customfields.label(d))
                for key, d in customfields.definitions("leads").items()]
    return choices


@admin_page
def web_forms_view(request: HttpRequest) -> HttpResponse:
    forms = WebForm.objects.order_by("name", "id").select_related("owner")
    return render(request, "leads/web_forms.html", {"forms": forms, "section": "web_forms"})


@admin_page
def web_form_edit(request: HttpRequest, form_id: int | None = None) -> HttpResponse:
    from vinculo.identity.models import User

    form = None
    if form_id is not None:
        form = WebForm.objects.filter(pk=form_id).first()
        if form is None:
            raise Http404
    errors: dict[str, list[str]] = {}
    values: dict = {}
    if request.method == "POST":
        if form is not None and request.POST.get("action") == "delete":
            form.delete()
            messages.success(request, _("Web form deleted."))
            return redirect("/settings/web-forms/")
        values = {key: request.POST.get(key, "").strip() for key in WEB_FORM_TEXT}
        values["fields"] = _field_rows(request.POST)
        owner = request.POST.get("owner_id", "").strip()
        values["owner_id"] = int(owner) if owner.isdigit() and int(owner) < 2**63 else None
        for key in ("use_assignment_rules", "consent_required", "active"):
            values[key] = bool(request.POST.get(key))
        try:
            saved = services.web_form_save(values, form)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Web form saved."))
            return redirect(f"/settings/web-forms/{saved.pk}/")
    shown = form or WebForm(fields=[{"name": "first_name", "required": False},
                                    {"name": "last_name", "required": True},
                                    {"name": "email", "required": True},
                                    {"name": "company", "required": False}])
    if values:
        for key, value in values.items():
            if key == "owner_id":
                shown.owner_id = value
            else:
                setattr(shown, key, value)
    rows = list(shown.fields or []) + [{"name": "", "required": False}] * 3
    from .models import Source
    from .webforms import public_url, snippet

    return render(request, "leads/web_form_form.html", {
        "form": form, "shown": shown, "rows": rows, "errors": errors,
        "field_choices": _field_choices(), "sources": Source.choices,
        "users": User.objects.filter(is_active=True).order_by("username"),
        "snippet_en": snippet(form, "en") if form else "",
        "snippet_es": snippet(form, "es") if form else "",
        "public_url": public_url(form) if form else "", "section": "web_forms"})


@admin_page
def scoring_view(request: HttpRequest) -> HttpResponse:
    import json

    rules = list(ScoringRule.objects.order_by("order", "id"))
    for rule in rules:
        rule.condition_json = json.dumps(rule.condition, ensure_ascii=False)
    return render(request, "leads/scoring_rules.html", {"rules": rules, "section": "scoring"})


@admin_page
def scoring_rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    import json

    from vinculo.activities.models import Kind

    from .models import EngagementEvent, RuleKind

    rule = None
    if rule_id is not None:
        rule = ScoringRule.objects.filter(pk=rule_id).first()
        if rule is None:
            raise Http404
    errors: dict[str, list[str]] = {}
    condition_text = json.dumps(rule.condition, ensure_ascii=False, indent=2) if rule else ""
    if request.method == "POST":
        if rule is not None and request.POST.get("action") == "delete":
            services.scoring_rule_delete(rule)
            messages.success(request, _("Scoring rule deleted."))
            return redirect("/settings/scoring/")
        post = request.POST
        data: dict = {"name": post.get("name", "").strip()[:120],
                      "kind": post.get("kind", "fit"), "event": post.get("event", ""),
                      "activity_kind": post.get("activity_kind", ""),
                      "active": bool(post.get("active"))}
        condition_text = post.get("condition", "")
        for key in ("points", "max_points", "within_days", "order"):
            raw = post.get(key, "").strip()
            try:
                data[key] = int(raw) if raw else (0 if key in ("points", "order") else None)
            except ValueError:
                errors[key] = [_("Enter a whole number.")]
        if data["kind"] == "fit":
            try:
                data["condition"] = json.loads(condition_text or "{}")
            except ValueError:
                errors["condition"] = [_("The condition is not valid JSON.")]
        if not errors:
            try:
                rule = services.scoring_rule_save(data, rule)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("Scoring rule saved. Leads are being rescored."))
                return redirect("/settings/scoring/")
    return render(request, "leads/scoring_rule_form.html", {
        "rule": rule, "errors": errors, "condition_text": condition_text,
        "kinds": RuleKind.choices, "events": EngagementEvent.choices,
        "activity_kinds": Kind.choices, "post": request.POST if request.method == "POST" else None,
        "section": "scoring"})
