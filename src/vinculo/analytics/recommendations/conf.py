"""Settings of recommendations and lead scoring, each overridable in Django settings."""

from __future__ import annotations

from django.conf import settings as django_settings

from .engine import Settings

DEFAULTS = {
    "VINCULO_RECOMMENDATIONS_MIN_SUPPORT": 0.0005,
    "VINCULO_RECOMMENDATIONS_MIN_CONFIDENCE": 0.05,
    "VINCULO_RECOMMENDATIONS_MIN_TOGETHER": 2,
    "VINCULO_RECOMMENDATIONS_NEIGHBOURS": 20,
    "VINCULO_RECOMMENDATIONS_PER_CONTACT": 10,
    "VINCULO_RECOMMENDATIONS_REPEAT_SHARE": 0.3,
    "VINCULO_RECOMMENDATIONS_CONSUMABLE_MIN_BUYERS": 5,
    "VINCULO_RECOMMENDATIONS_RULE_WEIGHT": 0.5,
    "VINCULO_LEAD_SCORING_MIN_CLOSED": 500,
    "VINCULO_LEAD_SCORING_MIN_CONVERTED": 50,
    "VINCULO_LEAD_SCORING_STALE_DAYS": 90,
    "VINCULO_LEAD_SCORING_ENGAGEMENT_DAYS": 14,
    "VINCULO_LEAD_SCORING_TEST_SHARE": 0.25,
}


def get(name: str):
    return getattr(django_settings, name, DEFAULTS[name])


def recommender_settings() -> Settings:
    prefix = "VINCULO_RECOMMENDATIONS_"
    return Settings(
        min_support=float(get(prefix + "MIN_SUPPORT")),
        min_confidence=float(get(prefix + "MIN_CONFIDENCE")),
        min_together=int(get(prefix + "MIN_TOGETHER")),
        neighbours=int(get(prefix + "NEIGHBOURS")),
        per_contact=int(get(prefix + "PER_CONTACT")),
        repeat_share=float(get(prefix + "REPEAT_SHARE")),
        consumable_min_buyers=int(get(prefix + "CONSUMABLE_MIN_BUYERS")),
        rule_weight=float(get(prefix + "RULE_WEIGHT")),
    )
