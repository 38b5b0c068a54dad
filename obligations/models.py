"""What instruments require, the answers open to states when a norm is broken, and what
happened: incidents, their attribution, the norms they breached and the responses taken."""

import datetime
import re
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from simple_history.models import HistoricalRecords

from instruments.models import Instrument, Organization, Provision, State, search_vector
from normsdb.models import TimeStamped, enum_check

# ISO 8601 durations with date and/or time parts (P60D, PT24H, P1M, P1Y2M, PT1H30M).
ISO_DURATION = r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$"


class Confidence(models.TextChoices):
    """How sure an attribution is; also the threshold a response measure asks for."""

    NONE = "none", "None required"
    SUSPECTED = "suspected", "Suspected"
    CONFIDENT = "confident", "Confident"
    CONCLUSIVE = "conclusive", "Conclusive"


CONFIDENCE_RANK = {value: rank for rank, value in enumerate(Confidence.values)}


SUBTREE_OBLIGATION_COUNTS = """
WITH RECURSIVE tree(ancestor_id, id) AS (
    SELECT id, id FROM obligations_topic
    UNION ALL
    SELECT tree.ancestor_id, child.id FROM obligations_topic child
    JOIN tree ON child.parent_id = tree.id
)
SELECT tree.ancestor_id, COUNT(DISTINCT tagged.obligation_id)
FROM tree JOIN obligations_obligation_topics tagged ON tagged.topic_id = tree.id
GROUP BY tree.ancestor_id
"""


class TopicQuerySet(models.QuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)

    def obligation_counts(self):
        """{topic id: obligations tagged with the topic or a descendant, each counted once}."""
        with connection.cursor() as cursor:
            cursor.execute(SUBTREE_OBLIGATION_COUNTS)
            return dict(cursor.fetchall())

    def subtree(self, topic):
        """The topic (a Topic or a slug) and all its descendants: one recursive query."""
        column, value = ("id", topic.pk) if isinstance(topic, Topic) else ("slug", topic)
        # `column` is one of two literals; the value goes in as a parameter.
        return self.filter(
            pk__in=RawSQL(  # noqa: S611
                "WITH RECURSIVE subtree(id) AS ("
                f"  SELECT id FROM obligations_topic WHERE {column} = %s"
                "  UNION"
                "  SELECT child.id FROM obligations_topic child"
                "  JOIN subtree ON child.parent_id = subtree.id"
                ") SELECT id FROM subtree",
                [value],
            )
        )


class Topic(TimeStamped):
    """A subject in the hierarchical taxonomy. Filtering by a topic includes its descendants."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    history = HistoricalRecords()
    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["updated_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="topic_not_own_parent")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("obligations:topic", args=[self.slug])

    def ancestors(self):
        """From the root down to the parent (topics are few and shallow)."""
        chain, node = [], self.parent
        while node is not None and node not in chain:
            chain.insert(0, node)
            node = node.parent
        return chain


class NormQuerySet(models.QuerySet):
    def with_instrument_count(self):
        """Count the instruments that articulate each norm, through its obligations."""
        return self.annotate(
            instrument_count=Count("obligations__instrument", distinct=True),
            obligation_count=Count("obligations", distinct=True),
        )

    def for_topic(self, topic):
        return self.filter(
            Exists(
                Norm.topics.through.objects.filter(
                    norm_id=OuterRef("pk"), topic__in=Topic.objects.subtree(topic)
                )
            )
        )


class Norm(TimeStamped):
    """A standard of state behaviour that may appear in several instruments.

    Which instruments articulate it is derived from the obligations linked to it.
    """

    slug = models.SlugField(max_length=120, unique=True)
    code = models.CharField(max_length=40, blank=True, help_text="Short handle: GGE-2015-f.")
    title = models.CharField(max_length=300)
    statement = models.TextField(help_text="In our own words.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="norms")
    search_vector = models.GeneratedField(
        expression=search_vector(("title", "A"), ("code", "A"), ("statement", "B")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = NormQuerySet.as_manager()

    class Meta:
        ordering = ["code", "title"]
        indexes = [
            models.Index(fields=["code"]),
            models.Index(fields=["updated_at"]),
            GinIndex(fields=["search_vector"], name="norm_search"),
            GinIndex(name="norm_title_trgm", fields=["title"], opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self):
        return f"{self.code}: {self.title}" if self.code else self.title

    def get_absolute_url(self):
        return reverse("obligations:norm", args=[self.slug])

    def articulating_instruments(self):
        return Instrument.objects.filter(obligations__norms=self).distinct()


class ObligationQuerySet(models.QuerySet):
    def for_topic(self, topic):
        """Obligations tagged with the topic or any of its descendants."""
        return self.filter(
            Exists(
                Obligation.topics.through.objects.filter(
                    obligation_id=OuterRef("pk"), topic__in=Topic.objects.subtree(topic)
                )
            )
        )

    def binding(self):
        return self.filter(instrument__legal_force=Instrument.LegalForce.BINDING)

    def binding_on(self, state):
        """Obligations of binding instruments to which the state is a party."""
        return self.filter(instrument__in=Instrument.objects.binding_on(state))

    def with_deadline(self):
        return self.exclude(deadline="")

    def articulating(self, norm):
        return self.filter(norms=norm)


class DutyBearer(models.TextChoices):
    STATES = "states", "States"
    STATE_PARTIES = "state_parties", "States parties"
    MEMBER_STATES = "member_states", "Member states"
    PRIVATE_SECTOR = "private_sector", "Private sector"
    SERVICE_PROVIDERS = "service_providers", "Service providers"
    ESSENTIAL_ENTITIES = "essential_entities", "Essential and important entities"
    CSIRTS = "csirts", "CSIRTs"
    INTERNATIONAL_ORGANIZATIONS = "international_organizations", "International organisations"


class Modality(models.TextChoices):
    MUST = "must", "Must"
    MUST_NOT = "must_not", "Must not"
    SHOULD = "should", "Should"
    SHOULD_NOT = "should_not", "Should not"
    MAY = "may", "May"


class Obligation(TimeStamped):
    """One normative commitment of one instrument: who must do what, how strongly, by when."""

    DutyBearer = DutyBearer
    Modality = Modality

    slug = models.SlugField(max_length=160, unique=True)
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="obligations")
    provision = models.ForeignKey(
        Provision, on_delete=models.PROTECT, null=True, blank=True, related_name="obligations"
    )
    duty_bearer = models.CharField(max_length=30, choices=DutyBearer)
    modality = models.CharField(max_length=12, choices=Modality)
    summary = models.TextField(help_text="In our own words.")
    norms = models.ManyToManyField(Norm, blank=True, related_name="obligations")
    topics = models.ManyToManyField(Topic, blank=True, related_name="obligations")
    deadline = models.CharField(
        max_length=30,
        blank=True,
        validators=[RegexValidator(ISO_DURATION, "Use an ISO 8601 duration such as PT24H.")],
        help_text="ISO 8601 duration: PT24H, P1M, P60D.",
    )
    deadline_trigger = models.CharField(
        max_length=300, blank=True, help_text="after becoming aware of a significant incident"
    )
    verification = models.TextField(blank=True, help_text="How compliance is reported or reviewed.")
    search_vector = models.GeneratedField(
        expression=search_vector(
            ("summary", "B"), ("deadline_trigger", "C"), ("verification", "C")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["instrument", "provision__order", "slug"]
        indexes = [
            models.Index(fields=["duty_bearer"]),
            models.Index(fields=["modality"]),
            models.Index(fields=["deadline"]),
            models.Index(fields=["updated_at"]),
            GinIndex(fields=["search_vector"], name="obligation_search"),
        ]
        constraints = [
            enum_check("obligation", "duty_bearer", DutyBearer),
            enum_check("obligation", "modality", Modality),
            models.CheckConstraint(
                condition=Q(deadline="") | Q(deadline__regex=ISO_DURATION),
                name="obligation_deadline_iso8601",
            ),
        ]

    def __str__(self):
        where = (
            f"{self.instrument}, {self.provision.label}"
            if self.provision_id
            else str(self.instrument)
        )
        return f"{where}: {self.get_modality_display().lower()} — {self.summary[:60]}"

    def get_absolute_url(self):
        return reverse("obligations:obligation", args=[self.slug])

    @property
    def title(self):
        return str(self)

    @property
    def deadline_in_words(self) -> str:
        """`PT24H` + trigger → "within 24 hours after becoming aware of …"."""
        if not self.deadline:
            return ""
        words = duration_in_words(self.deadline)
        return f"within {words} {self.deadline_trigger}".strip()

    @property
    def strength(self) -> str:
        """Practical strength: the instrument's legal force combined with the modality."""
        return f"{self.instrument.get_legal_force_display()} · {self.get_modality_display()}"


def duration_in_words(duration: str) -> str:
    """P1M → "1 month", PT24H → "24 hours", P1Y2M → "1 year and 2 months"."""
    date_part, _, time_part = duration.removeprefix("P").partition("T")
    parts = []
    for text, units in ((date_part, "YMWD"), (time_part, "HMS")):
        for number, unit in re.findall(r"(\d+)([A-Z])", text):
            name = {
                "Y": "year",
                "W": "week",
                "D": "day",
                "H": "hour",
                "S": "second",
                "M": "month" if units == "YMWD" else "minute",
            }[unit]
            parts.append(f"{number} {name}{'' if number == '1' else 's'}")
    return " and ".join(parts)


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
    description = models.TextField(help_text="In our own words.")
    legal_basis = models.ManyToManyField(Provision, blank=True, related_name="response_measures")
    responds_to = models.ManyToManyField(Norm, blank=True, related_name="response_measures")
    attribution_threshold = models.CharField(
        max_length=12,
        choices=Confidence,
        blank=True,
        help_text="The attribution confidence this measure needs before it is taken.",
    )
    reversible = models.BooleanField(null=True, blank=True, help_text="Empty means not stated.")
    conditions = models.TextField(
        blank=True, help_text="Necessity, proportionality (say which sense), notification…"
    )
    search_vector = models.GeneratedField(
        expression=search_vector(("name", "A"), ("description", "B"), ("conditions", "C")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = ResponseMeasureQuerySet.as_manager()

    class Meta:
        ordering = ["escalation_level", "name"]
        indexes = [
            models.Index(fields=["category"]),
            models.Index(fields=["escalation_level"]),
            models.Index(fields=["attribution_threshold"]),
            models.Index(fields=["updated_at"]),
            GinIndex(fields=["search_vector"], name="measure_search"),
            GinIndex(name="measure_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
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


class IncidentQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(started_on__year=year)

    def attributed_to(self, state):
        return self.filter(attributions__to_states=state).distinct()


class OperationType(models.TextChoices):
    ESPIONAGE = "espionage", "Espionage"
    DISRUPTION = "disruption", "Disruption"
    DESTRUCTION = "destruction", "Destruction"
    DATA_THEFT = "data_theft", "Data theft"
    INFLUENCE = "influence", "Influence operation"
    RANSOMWARE = "ransomware", "Ransomware"


class Incident(TimeStamped):
    """An operation that states say broke a norm."""

    OperationType = OperationType

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    aliases = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    disclosed_on = models.DateField(null=True, blank=True)
    operation_type = models.CharField(max_length=20, choices=OperationType)
    victims = models.ManyToManyField(State, blank=True, related_name="incidents_suffered")
    sectors = models.ManyToManyField(Topic, blank=True, related_name="incidents")
    summary = models.TextField(help_text="In our own words.")
    sources = ArrayField(models.URLField(max_length=500), default=list, blank=True)
    search_vector = models.GeneratedField(
        expression=search_vector(("name", "A"), ("summary", "B")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["search_vector"])
    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "name"]
        indexes = [
            models.Index(fields=["operation_type"]),
            models.Index(fields=["started_on"]),
            models.Index(fields=["updated_at"]),
            GinIndex(fields=["search_vector"], name="incident_search"),
            GinIndex(name="incident_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            enum_check("incident", "operation_type", OperationType),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="incident_ends_after_start",
                violation_error_message="An incident cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("obligations:incident", args=[self.slug])

    @property
    def title(self):
        return self.name

    @property
    def attributed_to(self):
        """Who the attributions name, each once: states by name, else the named groups."""
        attributions = self.attributions.all()
        states = sorted({s.name for a in attributions for s in a.to_states.all()})
        return states or sorted({a.to_group for a in attributions if a.to_group})

    def clean(self):
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "An incident cannot end before it starts."})

    def timeline(self):
        """Operation, attributions and responses as dated events, oldest first.

        Uses the prefetched attributions and responses; events without a date sort last.
        """
        events = []
        if self.started_on:
            events.append(TimelineEvent(self.started_on, "operation", "Operation begins", self))
        if self.disclosed_on:
            events.append(TimelineEvent(self.disclosed_on, "operation", "Disclosed", self))
        if self.ended_on:
            events.append(TimelineEvent(self.ended_on, "operation", "Operation ends", self))
        events += [
            TimelineEvent(a.date, "attribution", "Attribution", a) for a in self.attributions.all()
        ]
        events += [TimelineEvent(r.date, "response", "Response", r) for r in self.responses.all()]
        order = {"operation": 0, "attribution": 1, "response": 2}
        return sorted(events, key=lambda e: (e.date, order[e.kind]))

    def threshold_checks(self):
        """For each response: did an attribution at that date meet the measure's threshold?"""
        attributions = list(self.attributions.all())
        return [response.threshold_check(attributions) for response in self.responses.all()]


class AttributionBasis(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    INTELLIGENCE = "intelligence", "Intelligence"
    POLITICAL = "political", "Political"


class Attribution(TimeStamped):
    """Who attributed an incident to whom, when, how confidently and on what basis."""

    Basis = AttributionBasis

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attributions")
    by_state = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="attributions_made"
    )
    by_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions_made",
    )
    to_states = models.ManyToManyField(State, blank=True, related_name="attributions_received")
    to_group = models.CharField(max_length=200, blank=True, help_text="APT28 / GRU unit 26165")
    date = models.DateField()
    confidence = models.CharField(max_length=12, choices=Confidence)
    basis = models.CharField(max_length=14, choices=Basis, blank=True)
    joint_with = models.ManyToManyField(State, blank=True, related_name="joint_attributions")
    source_url = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["date"]),
            models.Index(fields=["confidence"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            enum_check("attribution", "confidence", Confidence),
            models.CheckConstraint(
                condition=Q(basis="") | Q(basis__in=AttributionBasis.values),
                name="attribution_basis_valid",
            ),
            models.CheckConstraint(
                condition=Q(by_state__isnull=False, by_organization__isnull=True)
                | Q(by_state__isnull=True, by_organization__isnull=False),
                name="attribution_by_state_or_organization",
                violation_error_message="An attribution is made by one state or one organisation.",
            ),
        ]

    def __str__(self):
        return f"{self.incident} — attributed by {self.attributor} on {self.date}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url() + f"#attribution-{self.pk}"

    def clean(self):
        if (self.by_state_id is None) == (self.by_organization_id is None):
            raise ValidationError("Give exactly one attributor: a state or an organisation.")

    @property
    def attributor(self):
        return self.by_state or self.by_organization

    @property
    def confidence_rank(self):
        return CONFIDENCE_RANK[self.confidence]


class AllegedBreach(TimeStamped):
    """An incident said to breach a norm, and who says so."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="breaches")
    norm = models.ForeignKey(Norm, on_delete=models.PROTECT, related_name="alleged_breaches")
    alleged_by_states = models.ManyToManyField(State, blank=True, related_name="breaches_alleged")
    alleged_by_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="breaches_alleged"
    )
    source_url = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "norm"]
        verbose_name_plural = "alleged breaches"
        constraints = [
            models.UniqueConstraint(fields=["incident", "norm"], name="breach_unique_norm")
        ]

    def __str__(self):
        return f"{self.incident} breaches {self.norm.title}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url() + "#breaches"


@dataclass
class TimelineEvent:
    date: datetime.date
    kind: str  # operation, attribution or response
    label: str
    record: object


@dataclass
class ThresholdCheck:
    """The proportionality view of one response: attribution confidence against threshold."""

    response: "ResponseAction"
    required: str
    strongest: "Attribution | None"

    @property
    def requires_attribution(self):
        return CONFIDENCE_RANK.get(self.required, 0) > 0

    @property
    def met(self):
        if not self.requires_attribution:
            return True
        return self.strongest is not None and (
            CONFIDENCE_RANK[self.strongest.confidence] >= CONFIDENCE_RANK[self.required]
        )

    @property
    def flagged(self):
        return not self.met


class ResponseAction(TimeStamped):
    """What a state or organisation actually did: one instance of a response measure."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="responses")
    measure = models.ForeignKey(ResponseMeasure, on_delete=models.PROTECT, related_name="actions")
    date = models.DateField()
    by_states = models.ManyToManyField(State, blank=True, related_name="responses_taken")
    by_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="responses_taken"
    )
    description = models.TextField(blank=True, help_text="In our own words.")
    legal_basis = models.ForeignKey(
        Provision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response_actions",
        help_text="The provision the responders invoked.",
    )
    source_url = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date"]), models.Index(fields=["updated_at"])]

    def __str__(self):
        return f"{self.measure} — {self.incident} ({self.date})"

    def get_absolute_url(self):
        return self.incident.get_absolute_url() + f"#response-{self.pk}"

    def threshold_check(self, attributions):
        """Compare the strongest attribution made on or before this response's date with the
        confidence the measure requires (`none` or empty requires none)."""
        earlier = [a for a in attributions if a.date <= self.date]
        strongest = max(
            earlier, key=lambda a: (CONFIDENCE_RANK[a.confidence], a.date), default=None
        )
        return ThresholdCheck(self, self.measure.attribution_threshold, strongest)
