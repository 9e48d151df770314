"""Product recommendations and predictive lead scoring: the built models, stored so that every
read is an index lookup.

Everything here is system-computed (a build replaces it wholesale), so these are plain tables
written by this module's services, not records of the write pipeline.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecommenderBuild(models.Model):
    """One build of the recommendation model: what it was built from and how long it took."""

    built_at = models.DateTimeField(_("built at"), default=timezone.now)
    seconds = models.FloatField(_("build time (seconds)"), default=0)
    baskets = models.PositiveIntegerField(_("baskets"), default=0)
    contacts = models.PositiveIntegerField(_("customers"), default=0)
    products = models.PositiveIntegerField(_("products"), default=0)
    lines = models.PositiveIntegerField(_("order lines"), default=0)
    pairs = models.PositiveIntegerField(_("product pairs"), default=0)
    recommendations = models.PositiveIntegerField(_("recommendations"), default=0)
    settings = models.JSONField(default=dict, blank=True)
    # the latest holdout measurement (services.evaluate): hit rate at k against most popular
    evaluation = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-built_at", "-id"]


class ProductStat(models.Model):
    """A product's buyers and whether it is bought again ("consumable": may be recommended to
    someone who already bought it)."""

    product = models.OneToOneField("sales.Product", on_delete=models.CASCADE, primary_key=True,
                                   related_name="+")
    buyers = models.PositiveIntegerField(default=0)
    baskets = models.PositiveIntegerField(default=0)
    repeat_share = models.FloatField(default=0)
    consumable = models.BooleanField(default=False)
    popularity_rank = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["popularity_rank"], name="rec_stat_rank_idx")]


class ProductPair(models.Model):
    """A product's top neighbours: association rule `product → other` (support, confidence,
    lift over baskets) and item-to-item cosine similarity over customers, blended into `score`.
    """

    product = models.ForeignKey("sales.Product", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("sales.Product", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    together = models.PositiveIntegerField(default=0)  # baskets holding both
    support = models.FloatField(default=0)
    confidence = models.FloatField(default=0)
    lift = models.FloatField(default=0)
    cosine = models.FloatField(default=0)
    is_rule = models.BooleanField(default=False)  # passes the minimum support and confidence
    score = models.FloatField(default=0)

    class Meta:
        indexes = [models.Index(fields=["product", "rank"], name="rec_pair_product_idx")]


class ReasonKind(models.TextChoices):
    TOGETHER = "together", _("Often bought together")
    SIMILAR = "similar", _("Bought by similar customers")
    POPULAR = "popular", _("Popular")


class ContactRecommendation(models.Model):
    """One of a contact's next-best products, with what it is recommended because of."""

    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("sales.Product", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    kind = models.CharField(max_length=10, choices=ReasonKind.choices)
    because = models.ForeignKey("sales.Product", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    lift = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["contact", "rank"], name="rec_contact_idx")]


class LeadModel(models.Model):
    """A trained lead-conversion model (logistic regression), stored as plain numbers: the
    feature names, the scaler's means and scales, the coefficients and the intercept — never a
    pickle. Only the latest row with `active` is used."""

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=False)
    message = models.CharField(max_length=300, blank=True, default="")
    n = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    split_at = models.DateTimeField(null=True, blank=True)
    auc = models.FloatField(null=True, blank=True)
    brier = models.FloatField(null=True, blank=True)
    baseline_auc = models.FloatField(null=True, blank=True)
    baseline_brier = models.FloatField(null=True, blank=True)
    features = models.JSONField(default=list, blank=True)
    means = models.JSONField(default=list, blank=True)
    scales = models.JSONField(default=list, blank=True)
    coefficients = models.JSONField(default=list, blank=True)
    intercept = models.FloatField(default=0)

    class Meta:
        ordering = ["-version"]
