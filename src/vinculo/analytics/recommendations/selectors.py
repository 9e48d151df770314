"""Reads of the stored recommendation model: index lookups, with record access applied by the
callers (a contact or product is first fetched through `platform.access`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from vinculo.sales.models import Product

from . import conf
from .models import ContactRecommendation, ProductPair, ProductStat, ReasonKind, RecommenderBuild


@dataclass(frozen=True)
class Item:
    product_id: int
    name: str
    sku: str
    score: float
    reason: str
    kind: str


def reason_text(kind: str, because: str | None, lift: float | None) -> str:
    """The short explanation of one recommendation, in the active language."""
    if kind == ReasonKind.TOGETHER and because:
        return _("Often bought with %(product)s (lift %(lift)s)") % {
            "product": because, "lift": number_format(round(lift or 0, 1), 1)}
    if kind == ReasonKind.SIMILAR and because:
        return _("Customers who bought %(product)s also bought this") % {"product": because}
    return _("Popular with customers")


def latest_build() -> RecommenderBuild | None:
    return RecommenderBuild.objects.order_by("-built_at", "-id").first()


def for_contact(contact_id: int, limit: int | None = None) -> list[Item]:
    """A contact's stored next-best products (only products still sellable); a contact with no
    purchases gets the most popular products."""
    limit = limit or int(conf.get("VINCULO_RECOMMENDATIONS_PER_CONTACT"))
    rows = (ContactRecommendation.objects.filter(contact_id=contact_id, product__active=True,
                                                 product__deleted_at__isnull=True)
            .order_by("rank").values_list("product_id", "product__name", "product__sku",
                                          "score", "kind", "because__name", "lift")[:limit])
    items = [Item(pk, name, sku, score, reason_text(kind, because, lift), kind)
             for pk, name, sku, score, kind, because, lift in rows]
    if items or ContactRecommendation.objects.filter(contact_id=contact_id).exists():
        return items
    return popular(limit)


def popular(limit: int) -> list[Item]:
    stats = (ProductStat.objects.filter(popularity_rank__gt=0, product__active=True,
                                        product__deleted_at__isnull=True)
             .select_related("product").order_by("popularity_rank")[:limit])
    build = latest_build()
    total = max(build.contacts if build else 0, 1)
    return [Item(s.product_id, s.product.name, s.product.sku, round(s.buyers / total * 0.01, 6),
                 reason_text(ReasonKind.POPULAR, None, None), ReasonKind.POPULAR)
            for s in stats]


@dataclass(frozen=True)
class Together:
    product_id: int
    name: str
    sku: str
    together: int
    support: float
    confidence: float
    lift: float
    cosine: float
    score: float


def bought_together(product: Product, limit: int = 10) -> list[Together]:
    """A product's association rules (bought in the same basket), best first."""
    pairs = (ProductPair.objects.filter(product=product, is_rule=True, other__active=True,
                                        other__deleted_at__isnull=True)
             .select_related("other").order_by("-confidence", "rank")[:limit])
    return [Together(p.other_id, p.other.name, p.other.sku, p.together, p.support,
                     p.confidence, p.lift, p.cosine, p.score) for p in pairs]
