"""The answers open to states when a norm is broken: the response measures of the ladder,
and the attribution confidence each needs."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from instruments.models import Provision
from normsdb.models import LongTextField, TimeStamped, enum_check

from .norms import Norm


class Confidence(models.TextChoices):
    """How sure an attribution is; also the threshold a response measure asks for."""

    NONE = "none", "None required"
    SUSPECTED = "suspected", "Suspected"
    CONFIDENT = "confident", "Confident"
    CONCLUSIVE = "conclusive", "Conclusive"


CONFIDENCE_RANK = {value: rank for rank, value in enumerate(Confidence.values)}


class ResponseMeasureQuerySet(models.QuerySet):
    def on_level(self, level):
        return self.filter(escalation_level=level)

    def responding_to(self, norm):
        return self.filter(responds_to=norm)


class MeasureCategory(models.TextChoices):
    COOPERATIVE = "cooperative", "Cooperative"
    DIPLOMATIC = "diplomatic", "Diplomatic"
    ECONOMIC = "economic", "Economic"
    LEGAL = "legal", "Legal"
    TECHNICAL = "technical", "Technical"
    COUNTERMEASURE = "countermeasure", "Countermeasure"
    COLLECTIVE = "collective", "Collective"
    MILITARY = "military", "Military"


class EscalationLevel(models.IntegerChoices):
    CONSULTATION = 1, "Consultation and assistance"
    ADMONITION = 2, "Public admonition and attribution"
    DIPLOMATIC_SANCTIONS = 3, "Diplomatic sanctions"
    ECONOMIC_LEGAL = 4, "Economic and legal measures"
    COUNTERMEASURES = 5, "Countermeasures"
    SELF_DEFENCE = 6, "Self-defence"


class ResponseMeasure(TimeStamped):
    """An answer open to a state when a norm is broken; together they form the ladder."""

    Category = MeasureCategory
    Level = EscalationLevel

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category)
    escalation_level = models.PositiveSmallIntegerField(
        choices=Level, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    description = LongTextField(help_text="In our own words.")
    legal_basis = models.ManyToManyField(Provision, blank=True, related_name="response_measures")
    responds_to = models.ManyToManyField(Norm, blank=True, related_name="response_measures")
    attribution_threshold = models.CharField(
        max_length=12,
        choices=Confidence,
        blank=True,
        help_text="The attribution confidence this measure needs before it is taken.",
    )
    reversible = models.BooleanField(null=True, blank=True, help_text="Empty means not stated.")
    conditions = LongTextField(
        blank=True, help_text="Necessity, proportionality (say which sense), notification…"
    )
    history = HistoricalRecords()
    objects = ResponseMeasureQuerySet.as_manager()

    class Meta:
        ordering = ["escalation_level", "name"]
        indexes = [
            models.Index(fields=["category"]),
            models.Index(fields=["escalation_level"]),
            models.Index(fields=["attribution_threshold"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            enum_check("measure", "category", MeasureCategory),
            models.CheckConstraint(
                condition=Q(escalation_level__gte=1, escalation_level__lte=6),
                name="measure_escalation_level_1_to_6",
            ),
            models.CheckConstraint(
                condition=Q(attribution_threshold="")
                | Q(attribution_threshold__in=Confidence.values),
                name="measure_attribution_threshold_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("obligations:measure", args=[self.slug])

    @property
    def title(self):
        return self.name
