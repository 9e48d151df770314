"""Predictive lead scoring: a logistic regression on past leads' outcomes.

A lead is *closed* when it was converted (outcome 1), disqualified (0) or left open longer
than `VINCULO_LEAD_SCORING_STALE_DAYS` (stale: 0). Features come from the lead's fields and
from its engagement in the first `VINCULO_LEAD_SCORING_ENGAGEMENT_DAYS` days after it was
created (the same window for open and closed leads, so that what happens after a lead is won
does not leak into the model). The model is trained only with enough history; it is
evaluated on a time split (the newest closed leads held out) against the rule-based score
(AUC) and the base rate (Brier score), and used only when it beats both. It is stored as
plain numbers (JSON), never as a pickle.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity, Direction
from vinculo.sales.leads.models import EngagementEvent, Lead, LeadEvent, Source, Status

from . import conf
from .models import LeadModel
from .services import TRAIN_LOCK, exclusive

OPEN = (Status.NEW, Status.WORKING, Status.QUALIFIED)
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.es", "outlook.com", "outlook.es",
    "live.com", "msn.com", "yahoo.com", "yahoo.es", "icloud.com", "me.com", "aol.com",
    "gmx.com", "gmx.de", "gmx.net", "proton.me", "protonmail.com", "mail.com", "yandex.com",
    "telefonica.net", "terra.es"})
SENIOR = re.compile(r"\b(ceo|cto|cfo|coo|cio|cmo|chief|founder|owner|president|vp|director|"
                    r"directora|head|partner|gerente|presidente|fundador|fundadora|socio|"
                    r"socia|jefe|jefa)\b")
MANAGER = re.compile(r"\b(manager|lead|supervisor|responsable|coordinador|coordinadora|"
                     r"encargado|encargada)\b")
JUNIOR = re.compile(r"\b(intern|assistant|student|trainee|becario|becaria|asistente|"
                    r"estudiante|junior)\b")
LEAD_FIELDS = ("id", "source", "country", "email", "company", "phone", "title", "employees",
               "created_at", "status", "score", "converted_at")


def engagement_days() -> int:
    return int(conf.get("VINCULO_LEAD_SCORING_ENGAGEMENT_DAYS"))


# ---------------------------------------------------------------------------- features


def _email_type(email: str) -> str:
    if not email or "@" not in email:
        return "none"
    return "free" if email.rsplit("@", 1)[1].lower() in FREE_MAIL else "business"


def lead_fields(lead: Lead) -> dict[str, float | str]:
    title = (lead.title or "").lower()
    return {
        "source": lead.source or Source.OTHER,
        "country": (lead.country or "").upper() or "none",
        "email_type": _email_type(lead.email),
        "has_company": float(bool(lead.company)),
        "has_phone": float(bool(lead.phone)),
        "title_senior": float(bool(SENIOR.search(title))),
        "title_manager": float(bool(MANAGER.search(title))),
        "title_junior": float(bool(JUNIOR.search(title))),
        "log_employees": math.log1p(lead.employees or 0),
    }


@dataclass
class _Engagement:
    activities: int = 0
    email_clicks: int = 0
    form_submissions: int = 0
    first_response: float | None = None  # hours to the first outbound activity


def _engagement(leads: list[Lead], now: dt.datetime) -> dict[int, _Engagement]:
    window = dt.timedelta(days=engagement_days())
    starts = {lead.pk: lead.created_at for lead in leads}
    out: dict[int, _Engagement] = defaultdict(_Engagement)
    ids = list(starts)
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        for lead_id, at, direction in Activity.objects.filter(lead_id__in=chunk).values_list(
                "lead_id", "occurred_at", "direction"):
            start = starts[lead_id]
            if not start <= at <= min(start + window, now):
                continue
            item = out[lead_id]
            item.activities += 1
            if direction == Direction.OUTBOUND:
                hours = (at - start).total_seconds() / 3600
                item.first_response = (hours if item.first_response is None
                                       else min(item.first_response, hours))
        for lead_id, kind, at in LeadEvent.objects.filter(lead_id__in=chunk).values_list(
                "lead_id", "kind", "at"):
            start = starts[lead_id]
            if not start <= at <= min(start + window, now):
                continue
            if kind == EngagementEvent.EMAIL_CLICK:
                out[lead_id].email_clicks += 1
            elif kind == EngagementEvent.FORM_SUBMISSION:
                out[lead_id].form_submissions += 1
    return out


def features(leads: list[Lead], now: dt.datetime | None = None) -> list[dict[str, float | str]]:
    """One feature dict per lead (categorical values as strings: one-hot encoded later)."""
    now = now or timezone.now()
    engagement = _engagement(leads, now)
    cap = engagement_days() * 24.0
    rows = []
    for lead in leads:
        item = engagement.get(lead.pk, _Engagement())
        row = lead_fields(lead)
        row.update({
            "activities": float(item.activities),
            "email_clicks": float(item.email_clicks),
            "form_submissions": float(item.form_submissions),
            "responded": float(item.first_response is not None),
            "hours_to_response": min(item.first_response if item.first_response is not None
                                     else cap, cap),
        })
        rows.append(row)
    return rows


def feature_label(name: str) -> str:
    """A person's name for a model feature (`source=web`, `activities`…)."""
    key, _sep, value = name.partition("=")
    labels = {
        "has_company": _("Has a company"), "has_phone": _("Has a phone number"),
        "title_senior": _("Senior job title"), "title_manager": _("Manager job title"),
        "title_junior": _("Junior job title"), "log_employees": _("Company size"),
        "activities": _("Activities in the first days"),
        "email_clicks": _("Email clicks in the first days"),
        "form_submissions": _("Form submissions in the first days"),
        "responded": _("Got a reply from us"), "hours_to_response": _("Hours to our first reply"),
    }
    if key == "source":
        return _("Source: %(value)s") % {"value": dict(Source.choices).get(value, value)}
    if key == "country":
        return _("Country: %(value)s") % {"value": value if value != "none" else "—"}
    if key == "email_type":
        kinds = {"free": _("free webmail"), "business": _("company domain"), "none": _("none")}
        return _("Email address: %(value)s") % {"value": kinds.get(value, value)}
    return labels.get(key, key)


# ---------------------------------------------------------------------------- history


def closed_leads(now: dt.datetime) -> tuple[list[Lead], np.ndarray]:
    """Closed leads, oldest first, and their outcomes (1 converted, 0 otherwise)."""
    stale_before = now - dt.timedelta(days=int(conf.get("VINCULO_LEAD_SCORING_STALE_DAYS")))
    qs = Lead.objects.only(*LEAD_FIELDS).order_by("created_at", "id")
    leads, outcomes = [], []
    for lead in qs.iterator(2000):
        if lead.status == Status.CONVERTED:
            outcome = 1
        elif lead.status == Status.DISQUALIFIED or lead.created_at < stale_before:
            outcome = 0
        else:
            continue
        leads.append(lead)
        outcomes.append(outcome)
    return leads, np.array(outcomes, dtype=np.int64)


def _pipeline():
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([("encode", DictVectorizer(sparse=False)), ("scale", StandardScaler()),
                     ("model", LogisticRegression(C=1.0, max_iter=2000))])


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score)) if 0 < y.sum() < y.size else 0.5


def _brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def _next_version() -> int:
    return (LeadModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1


def not_enough_message(closed: int, converted: int) -> str:
    return _("Not enough history to train the model: %(closed)s closed leads (needs "
             "%(min_closed)s) and %(converted)s converted (needs %(min_converted)s). The "
             "rule-based score stays in use.") % {
        "closed": closed, "converted": converted,
        "min_closed": conf.get("VINCULO_LEAD_SCORING_MIN_CLOSED"),
        "min_converted": conf.get("VINCULO_LEAD_SCORING_MIN_CONVERTED")}


def train(now: dt.datetime | None = None) -> LeadModel:
    """Train, evaluate on a time split, store the model (a new version) and, when it beats
    its baselines, predict every open lead. With too little history the stored version is
    inactive and says why; the rule-based score stays in use."""
    now = now or timezone.now()
    leads, y = closed_leads(now)
    closed, converted = len(leads), int(y.sum())
    if (closed < int(conf.get("VINCULO_LEAD_SCORING_MIN_CLOSED"))
            or converted < int(conf.get("VINCULO_LEAD_SCORING_MIN_CONVERTED"))):
        return _store_inactive(now, closed, converted, not_enough_message(closed, converted))
    if converted == closed:
        return _store_inactive(now, closed, converted, _(
            "Every closed lead was converted: there is nothing to tell them apart yet. The "
            "rule-based score stays in use."))
    rows = features(leads, now)
    cut = int(round(closed * (1 - float(conf.get("VINCULO_LEAD_SCORING_TEST_SHARE")))))
    y_train, y_test = y[:cut], y[cut:]
    if not (0 < y_train.sum() < y_train.size) or not y_test.size:
        return _store_inactive(now, closed, converted,
                               _("The older leads have only one outcome: the model cannot be "
                                 "trained yet. The rule-based score stays in use."))
    pipeline = _pipeline().fit(rows[:cut], y_train)
    p_test = pipeline.predict_proba(rows[cut:])[:, 1]
    scores = np.array([lead.score for lead in leads[cut:]], dtype=float)
    auc, brier = _auc(y_test, p_test), _brier(y_test, p_test)
    base_auc = _auc(y_test, scores)
    base_brier = _brier(y_test, np.full(y_test.size, y_train.mean()))
    beats = auc > base_auc and brier < base_brier
    final = _pipeline().fit(rows, y)
    encode, scale, model = (final.named_steps[k] for k in ("encode", "scale", "model"))
    message = "" if beats else _(
        "The model did not beat its baseline on the newest leads; the rule-based score stays "
        "in use.")
    with transaction.atomic():
        exclusive(TRAIN_LOCK)
        version = _next_version()
        record = LeadModel.objects.create(
            version=version, trained_at=now, active=beats, message=message, n=closed,
            converted=converted, n_test=int(y_test.size), split_at=leads[cut].created_at,
            auc=auc, brier=brier, baseline_auc=base_auc, baseline_brier=base_brier,
            features=list(encode.get_feature_names_out()), means=scale.mean_.tolist(),
            scales=scale.scale_.tolist(), coefficients=model.coef_[0].tolist(),
            intercept=float(model.intercept_[0]))
        LeadModel.objects.exclude(pk=record.pk).update(active=False)
        forget_predictions()
        if beats:
            predict_open(record, now)
    return record


def _store_inactive(now: dt.datetime, closed: int, converted: int,
                    message: str) -> LeadModel:
    with transaction.atomic():
        exclusive(TRAIN_LOCK)
        version = _next_version()
        LeadModel.objects.update(active=False)
        forget_predictions()
        return LeadModel.objects.create(version=version, trained_at=now, active=False,
                                        message=message, n=closed, converted=converted)


# ---------------------------------------------------------------------------- predicting


@dataclass(frozen=True)
class Prediction:
    probability: float
    explanation: list[dict]


def active_model() -> LeadModel | None:
    return LeadModel.objects.filter(active=True).order_by("-version").first()


def latest_model() -> LeadModel | None:
    return LeadModel.objects.order_by("-version").first()


def predict(model: LeadModel, row: dict[str, float | str], top: int = 5) -> Prediction:
    """The probability from the stored numbers, and the features that weigh most for this
    lead (coefficient × standardised value)."""
    index = {name: i for i, name in enumerate(model.features)}
    x = np.zeros(len(model.features))
    present = []
    for key, value in row.items():
        name = f"{key}={value}" if isinstance(value, str) else key
        if name in index:
            x[index[name]] = 1.0 if isinstance(value, str) else float(value)
            present.append((name, 1.0 if isinstance(value, str) else float(value)))
    z = (x - np.asarray(model.means)) / np.asarray(model.scales)
    contributions = np.asarray(model.coefficients) * z
    logit = float(contributions.sum() + model.intercept)
    probability = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))
    explained = sorted(
        ({"feature": name, "value": value,
          "contribution": round(float(contributions[index[name]]), 4)}
         for name, value in present), key=lambda item: -abs(item["contribution"]))
    return Prediction(probability, explained[:top])


def predict_leads(model: LeadModel, leads: list[Lead], now: dt.datetime | None = None
                  ) -> list[Prediction]:
    return [predict(model, row) for row in features(leads, now)]


def forget_predictions() -> None:
    """No model in use (or a new one about to predict): no lead keeps an old probability."""
    Lead.all_objects.filter(conversion_probability__isnull=False).update(
        conversion_probability=None)


def predict_open(model: LeadModel, now: dt.datetime | None = None, batch: int = 2000) -> int:
    """Write every open lead's conversion probability."""
    now = now or timezone.now()
    done, last = 0, 0
    while True:
        leads = list(Lead.objects.filter(status__in=OPEN, pk__gt=last).only(*LEAD_FIELDS)
                     .order_by("pk")[:batch])
        if not leads:
            return done
        predictions = predict_leads(model, leads, now)
        for lead, p in zip(leads, predictions, strict=True):
            lead.conversion_probability = round(p.probability, 4)
        # the leads' column serves lists, filters and sorting; it is no edit of the lead
        Lead.objects.bulk_update(leads, ["conversion_probability"])
        done += len(leads)
        last = leads[-1].pk


BINARY = frozenset({"has_company", "has_phone", "title_senior", "title_manager",
                    "title_junior", "responded"})


def explained(items: Iterable[dict]) -> list[dict]:
    """Explanation items with a label in the active language, and the value as a person reads
    it (`shown_value`: employees rather than their logarithm; none for yes/no features)."""
    out = []
    for item in items:
        name, value = item["feature"], item["value"]
        label, shown = feature_label(name), None
        if name in BINARY and not value:
            label = _("%(feature)s: no") % {"feature": label}
        elif name == "log_employees":
            shown = round(math.expm1(value))
        elif "=" not in name and name not in BINARY:
            shown = round(value) if float(value).is_integer() else round(value, 1)
        out.append({**item, "label": label, "shown_value": shown})
    return out
