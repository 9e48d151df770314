"""Leads of the demo data set: scoring rules, a web form, leads in every status, their
activities and form submissions, and a few conversions. Called by `vinculo demo` after the
contacts and activities exist; everything goes through the write pipeline and the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from vinculo.platform.importexport import demo as base
from vinculo.platform.importexport import demo_data as data

from . import services
from .models import Lead, ScoringRule, WebForm

RULES = [
    {"name": "Software or technology", "kind": "fit", "points": 20,
     "condition": {"field": "industry", "op": "in", "value": ["Software", "Technology"]}},
    {"name": "100 employees or more", "kind": "fit", "points": 15,
     "condition": {"field": "employees", "op": "gte", "value": 100}},
    {"name": "Decision maker", "kind": "fit", "points": 10,
     "condition": {"any": [{"field": "title", "op": "icontains", "value": "director"},
                           {"field": "title", "op": "icontains", "value": "CEO"},
                           {"field": "title", "op": "icontains", "value": "head"}]}},
    {"name": "Referral", "kind": "fit", "points": 10,
     "condition": {"field": "source", "op": "eq", "value": "referral"}},
    {"name": "Calls", "kind": "engagement", "event": "activity", "activity_kind": "call",
     "points": 5, "max_points": 20},
    {"name": "Meetings", "kind": "engagement", "event": "activity", "activity_kind": "meeting",
     "points": 15, "max_points": 30},
    {"name": "Email clicks (last 30 days)", "kind": "engagement", "event": "email_click",
     "points": 3, "max_points": 15, "within_days": 30},
    {"name": "Web form submissions", "kind": "engagement", "event": "form_submission",
     "points": 10},
]

STATUSES = ("new", "new", "new", "working", "working", "qualified", "disqualified")
SOURCES = ("web", "web", "email", "phone", "event", "referral", "social", "other")
REASONS = ("No budget", "No need", "Competitor chosen", "Wrong contact", "Student")


def make_leads(ctx: base.Context, summary: base.Summary,
               on_step: Callable[[str], None], count: int | None = None) -> list[Lead]:
    """About one lead for every three contacts (at least 20)."""
    rnd = ctx.rnd
    count = count if count is not None else max(20, len(ctx.contacts) // 3)
    if not ScoringRule.objects.exists():
        for rule in RULES:
            services.scoring_rule_save(dict(rule))
    form = WebForm.objects.first() or services.web_form_save({
        "name": "Request a demo", "title_en": "Request a demo", "title_es": "Pide una demo",
        "fields": [{"name": "first_name", "label_en": "First name", "label_es": "Nombre"},
                   {"name": "last_name", "label_en": "Last name", "label_es": "Apellidos",
                    "required": True},
                   {"name": "email", "label_en": "Work email", "label_es": "Correo de trabajo",
                    "required": True},
                   {"name": "company", "label_en": "Company", "label_es": "Empresa"},
                   {"name": "phone", "label_en": "Phone", "label_es": "Teléfono"}],
        "thank_you_en": "Thank you! We will call you within a working day.",
        "thank_you_es": "¡Gracias! Te llamaremos en un día laborable.",
        "consent_text_en": "I agree to receive news and offers by email.",
        "consent_text_es": "Acepto recibir novedades y ofertas por correo.",
        "use_assignment_rules": True})

    taken: set[str] = set()
    rows: list[dict[str, Any]] = []
    for i in range(count):
        country = base._country(rnd)
        language = data.COUNTRIES[country][0]
        if language == "es":
            first, last = rnd.choice(data.SPANISH_FIRST), rnd.choice(data.SPANISH_LAST)
        else:
            first, last = rnd.choice(data.ENGLISH_FIRST), rnd.choice(data.ENGLISH_LAST)
        company = base._company_name(country, rnd, taken)
        domain = f"{base._slug(company.rsplit(' ', 1)[0])[:40]}.example"
        status = rnd.choice(STATUSES)
        row = {
            "first_name": first, "last_name": last, "company": company,
            "title": rnd.choice(data.TITLES[language]),
            "email": f"{base._slug(first)}.{base._slug(last)}{i}@{domain}",
            "phone": base._fill(data.COUNTRIES[country][3], rnd) if rnd.random() < 0.6 else "",
            "website": f"https://www.{domain}", "industry": rnd.choice(data.INDUSTRIES),
            "employees": rnd.choice([3, 8, 20, 45, 120, 250, 800, 3000]),
            **base._address(country, rnd), "source": rnd.choice(SOURCES), "status": status,
            "email_opt_in": rnd.random() < 0.5, "owner_id": base._owner(ctx, country),
        }
        if status == "disqualified":
            row["disqualified_reason"] = rnd.choice(REASONS)
        rows.append(row)
    leads = base._create("leads", rows, ctx, summary, lambda step: None)

    activities = []
    kinds = ("call", "call", "email", "meeting", "note")
    for lead in leads:
        for _n in range(rnd.choice((0, 0, 1, 1, 2, 3))):
            kind = rnd.choice(kinds)
            language = data.COUNTRIES.get(lead.country, ("en",))[0]
            subjects = data.SUBJECTS.get(language, data.SUBJECTS["en"]).get(kind) or ["Follow-up"]
            activities.append({
                "kind": kind, "subject": rnd.choice(subjects), "lead_id": lead.pk,
                "owner_id": lead.owner_id, "direction": "outbound" if kind in ("call", "email")
                else "", "occurred_at": ctx.now - dt.timedelta(days=rnd.randint(0, 60),
                                                               hours=rnd.randint(0, 10))})
    if activities:
        base._create("activities", activities, ctx, summary, lambda step: None)

    for lead in leads:
        if lead.source == "web":
            services.record_engagement(lead.pk, "form_submission", form=form,
                                       detail={"form": form.name})
        if rnd.random() < 0.2:
            for _n in range(rnd.randint(1, 3)):
                services.record_engagement(lead.pk, "email_click",
                                           detail={"url": "https://vinculo.example/pricing"})

    # A few qualified leads are converted, as a sales team would.
    qualified = [lead for lead in leads if lead.status == "qualified"]
    converted = 0
    for lead in qualified[: max(1, len(qualified) // 3)]:
        lead.refresh_from_db()
        owner = _user(lead.owner_id) or ctx.actor
        services.convert_lead(lead, actor=owner, opportunity={
            "name": f"{lead.company} · {rnd.choice(['CRM', 'Onboarding', 'Licences'])}",
            "amount": str(rnd.randint(20, 400) * 100)})
        converted += 1
    summary.counts["leads converted"] = converted
    on_step("leads")
    return leads


def _user(pk: int | None):
    from vinculo.identity.models import User

    return User.objects.filter(pk=pk).first() if pk else None
