"""What instruments require, the answers open to states when a norm is broken, and what
happened: incidents, their attribution, the norms they breached and the responses taken."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.urls import reverse
from simple_history.models import HistoricalRecords

from instruments.models import Instrument, Organization, Provision, State
from normsdb.models import LongTextField, TaggedQuerySet, TimeStamped, enum_check

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
    description = LongTextField(blank=True)
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

    def clean(self):
        """No topic may be its own ancestor: the subtree queries would never end (a database
        trigger refuses the same, whoever writes)."""
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "This parent would make the topics a loop."})
            seen.add(node.pk)
            node = node.parent

    def ancestors(self):
        """From the root down to the parent (topics are few and shallow)."""
        chain, node = [], self.parent
        while node is not None and node not in chain:
            chain.insert(0, node)
            node = node.parent
        return chain


class NormQuerySet(TaggedQuerySet):
    def with_instrument_count(self):
        """Count the instruments that articulate each norm, through its obligations."""
        return self.annotate(
            instrument_count=Count("obligations__instrument", distinct=True),
            obligation_count=Count("obligations", distinct=True),
        )


class Norm(TimeStamped):
    """A standard of state behaviour that may appear in several instruments.

    Which instruments articulate it is derived from the obligations linked to it.
    """

    slug = models.SlugField(max_length=120, unique=True)
    code = models.CharField(max_length=40, blank=True, help_text="Short handle: GGE-2015-f.")
    title = models.CharField(max_length=300)
    statement = LongTextField(help_text="In our own words.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="norms")
    origin = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="norms_originated",
        help_text="The instrument that stated the norm in these terms (GGE 2015 for its "
        "eleven norms). Its trail starts there; earlier texts with a like commitment are "
        "shown as precursors.",
    )
    history = HistoricalRecords()
    objects = NormQuerySet.as_manager()

    class Meta:
        ordering = ["code", "title"]
        indexes = [
            models.Index(fields=["code"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self):
        return f"{self.code}: {self.title}" if self.code else self.title

    def get_absolute_url(self):
        return reverse("obligations:norm", args=[self.slug])

    def articulating_instruments(self):
        return Instrument.objects.filter(obligations__norms=self).distinct()


class ObligationQuerySet(TaggedQuerySet):
    def binding(self):
        return self.filter(instrument__legal_force=Instrument.LegalForce.BINDING)

    def binding_on(self, state, on=None):
        """Obligations of the binding instruments in force that bind the state (as a party,
        or as a member of the organisation whose members they bind)."""
        return self.filter(instrument__in=Instrument.objects.binding_on(state, on))

    def in_force(self, on=None):
        """Obligations of instruments in force (see InstrumentQuerySet.in_force)."""
        return self.filter(instrument__in=Instrument.objects.in_force(on))

    def not_in_force(self, on=None):
        return self.exclude(instrument__in=Instrument.objects.in_force(on))

    def of_states(self):
        """Obligations whose duty bearer is a state, rather than companies or CSIRTs that a
        state must regulate."""
        return self.filter(duty_bearer__in=DutyBearer.STATE_BEARERS)

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


DutyBearer.STATE_BEARERS = [DutyBearer.STATES, DutyBearer.STATE_PARTIES, DutyBearer.MEMBER_STATES]


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
    summary = LongTextField(help_text="In our own words.")
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
    verification = LongTextField(blank=True, help_text="How compliance is reported or reviewed.")
    # History is looked up by record id and date only (see Provision.history).
    history = HistoricalRecords(no_db_index=["slug", "instrument", "provision"])
    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["instrument", "provision__order", "slug"]
        indexes = [
            models.Index(fields=["duty_bearer"]),
            models.Index(fields=["modality"]),
            models.Index(fields=["deadline"]),
            models.Index(fields=["updated_at"]),
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


class IncidentQuerySet(TaggedQuerySet):
    topic_field = "sectors"

    def in_year(self, year):
        return self.filter(started_on__year=year)

    def attributed_to(self, state):
        return self.filter(attributions__to_states=state).distinct()

    def per_year_and_type(self):
        """{year the operation started: {operation type: incidents}}."""
        rows = (
            self.exclude(started_on=None)
            .annotate(year=ExtractYear("started_on"))
            .values("year", "operation_type")
            .annotate(count=models.Count("id", distinct=True))
        )
        table = defaultdict(dict)
        for row in rows:
            table[row["year"]][row["operation_type"]] = row["count"]
        return dict(table)

    def attributed_states(self):
        """[(state, incidents attributed to it)], most first."""
        states = (
            State.objects.filter(attributions_received__incident__in=self.values("pk"))
            .annotate(count=models.Count("attributions_received__incident", distinct=True))
            .order_by("-count", "name")
        )
        return [(state, state.count) for state in states]

    def responses_per_year_and_category(self):
        """{year of the response: {measure category: responses}}."""
        rows = (
            ResponseAction.objects.filter(incident__in=self.values("pk"))
            .annotate(year=ExtractYear("date"))
            .values("year", category=models.F("measure__category"))
            .annotate(count=models.Count("id"))
        )
        table = defaultdict(dict)
        for row in rows:
            table[row["year"]][row["category"]] = row["count"]
        return dict(table)

    def days_to_first_attribution(self):
        """[(incident, days from its disclosure — or start, when no disclosure date is
        recorded — to its first public attribution)] for incidents with both dates."""
        rows = self.annotate(first_attribution=models.Min("attributions__date")).exclude(
            first_attribution=None
        )
        out = []
        for incident in rows:
            since = incident.disclosed_on or incident.started_on
            if since is not None:
                out.append((incident, max((incident.first_attribution - since).days, 0)))
        return out

    def with_record(self):
        """Everything an incident's page, API detail and export show, in a fixed number of
        queries: attributions, breaches and responses with who made them."""
        return self.prefetch_related(
            "victims",
            "sectors",
            models.Prefetch(
                "attributions",
                Attribution.objects.select_related("by_state", "by_organization").prefetch_related(
                    "to_states", "joint_with"
                ),
            ),
            models.Prefetch(
                "breaches",
                AllegedBreach.objects.select_related("norm").prefetch_related(
                    "alleged_by_states", "alleged_by_organizations"
                ),
            ),
            models.Prefetch(
                "responses",
                ResponseAction.objects.select_related(
                    "measure", "legal_basis__instrument"
                ).prefetch_related("by_states", "by_organizations"),
            ),
        )


class OperationType(models.TextChoices):
    ESPIONAGE = "espionage", "Espionage"
    DISRUPTION = "disruption", "Disruption"
    DESTRUCTION = "destruction", "Destruction"
    DATA_THEFT = "data_theft", "Data theft"
    INFLUENCE = "influence", "Influence operation"
    RANSOMWARE = "ransomware", "Ransomware"


class DatePrecision(models.TextChoices):
    """How much of a date is known: an operation that began "in March 2017" is stored as
    2017-03-01 with month precision and shown as March 2017, never as 1 March."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Incident(TimeStamped):
    """An operation that states say broke a norm."""

    OperationType = OperationType

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    aliases = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    started_on = models.DateField(
        null=True, blank=True, help_text="With a month or year precision, its first day."
    )
    started_on_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    start_unknown = models.BooleanField(
        default=False, help_text="No start date is public (rather than not yet recorded)."
    )
    ended_on = models.DateField(null=True, blank=True)
    ended_on_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    disclosed_on = models.DateField(null=True, blank=True)
    operation_type = models.CharField(max_length=20, choices=OperationType)
    victims = models.ManyToManyField(State, blank=True, related_name="incidents_suffered")
    sectors = models.ManyToManyField(Topic, blank=True, related_name="incidents")
    summary = LongTextField(help_text="In our own words.")
    sources = ArrayField(models.URLField(max_length=500), default=list, blank=True)
    history = HistoricalRecords()
    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "name"]
        indexes = [
            models.Index(fields=["operation_type"]),
            models.Index(fields=["started_on"]),
            models.Index(fields=["updated_at"]),
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
            models.CheckConstraint(
                condition=Q(start_unknown=False) | Q(started_on__isnull=True),
                name="incident_unknown_start_has_no_date",
                violation_error_message="An incident with an unknown start has no start date.",
            ),
            enum_check("incident", "started_on_precision", DatePrecision),
            enum_check("incident", "ended_on_precision", DatePrecision),
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

    def threshold_checks(self, memberships=()):
        """One check per response and responder (see ThresholdCheck), in timeline order.
        Uses the prefetched attributions and responses; `memberships` are the responding
        states' Membership rows."""
        attributions = list(self.attributions.all())
        return [
            response.threshold_check(responder, attributions, memberships)
            for response in self.responses.all()
            for responder in response.responders
        ]


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
    joint_with = models.ManyToManyField(
        State,
        blank=True,
        related_name="joint_attributions",
        help_text="Only states that co-signed the same statement.",
    )
    summary = LongTextField(blank=True, help_text="What the attributor said, in our words.")
    source_url = models.URLField(max_length=500, blank=True, help_text="The statement itself.")

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

    @property
    def attributor(self):
        return self.by_state or self.by_organization

    def available_to(self, responder, memberships):
        """Whether a responder could rely on this attribution: its own, one it co-signed,
        or (for a state) one made by an organisation it belonged to at the time.
        `memberships` are the responding states' Membership rows."""
        if isinstance(responder, Organization):
            return self.by_organization_id == responder.pk
        if self.by_state_id == responder.pk:
            return True
        if any(state.pk == responder.pk for state in self.joint_with.all()):
            return True
        return self.by_organization_id is not None and any(
            m.organization_id == self.by_organization_id
            and m.state_id == responder.pk
            and m.is_current(self.date)
            for m in memberships
        )

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
    """The proportionality view of one response by one responder: the confidence its
    measure requires, against the strongest attribution that responder could rely on at the
    response's date (its own, a joint one, its organisation's), and apart from that the
    strongest public attribution anyone had made by then. The check is evidential only:
    whether the response was proportionate to the harm is a legal judgement it does not make.
    """

    response: "ResponseAction"
    responder: object
    required: str
    available: "Attribution | None"
    strongest_public: "Attribution | None"

    @property
    def requires_attribution(self):
        return CONFIDENCE_RANK.get(self.required, 0) > 0

    def meets(self, attribution):
        if not self.requires_attribution:
            return True
        return attribution is not None and (
            CONFIDENCE_RANK[attribution.confidence] >= CONFIDENCE_RANK[self.required]
        )

    @property
    def met(self):
        return self.meets(self.available)

    @property
    def met_publicly(self):
        return self.meets(self.strongest_public)

    @property
    def flagged(self):
        return not self.met


def strongest(attributions):
    return max(attributions, key=lambda a: (CONFIDENCE_RANK[a.confidence], a.date), default=None)


class ResponseAction(TimeStamped):
    """What a state or organisation actually did: one instance of a response measure."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="responses")
    measure = models.ForeignKey(ResponseMeasure, on_delete=models.PROTECT, related_name="actions")
    date = models.DateField()
    by_states = models.ManyToManyField(State, blank=True, related_name="responses_taken")
    by_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="responses_taken"
    )
    description = LongTextField(blank=True, help_text="In our own words.")
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

    @property
    def responders(self):
        """The states, then the organisations, that took this response (prefetched)."""
        return [*self.by_states.all(), *self.by_organizations.all()]

    def threshold_check(self, responder, attributions, memberships=()):
        """Compare the attributions made on or before this response's date with the
        confidence the measure requires (`none` or empty requires none): those the responder
        could rely on, and all public ones."""
        earlier = [a for a in attributions if a.date <= self.date]
        available = [a for a in earlier if a.available_to(responder, memberships)]
        return ThresholdCheck(
            self,
            responder,
            self.measure.attribution_threshold,
            strongest(available),
            strongest(earlier),
        )


class LegalQuestion(TimeStamped):
    """A question of how international law applies in cyberspace that lawyers compare across
    national positions: is sovereignty a rule of its own, may countermeasures be collective…"""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200, help_text="The question, short: Sovereignty as a rule.")
    description = LongTextField(help_text="What is at stake, in our own words.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Column order in the matrix.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("obligations:question", args=[self.slug])

    @property
    def title(self):
        return self.name


class StanceQuerySet(models.QuerySet):
    def of_state(self, state):
        return self.filter(position__author_state=state)


class StanceChoice(models.TextChoices):
    AFFIRMS = "affirms", "Affirms"
    REJECTS = "rejects", "Rejects"
    QUALIFIES = "qualifies", "Qualifies"
    LEAVES_OPEN = "leaves_open", "Leaves open"


class Stance(TimeStamped):
    """What one position says on one legal question, tied to the paragraph that says it.
    The state (or organisation) is the position's author: not stored twice."""

    Choice = StanceChoice

    position = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="stances",
        limit_choices_to={"kind": "position"},
    )
    question = models.ForeignKey(LegalQuestion, on_delete=models.PROTECT, related_name="stances")
    provision = models.ForeignKey(
        Provision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stances",
        help_text="The paragraph or section of the position that says it.",
    )
    stance = models.CharField(max_length=12, choices=StanceChoice)
    summary = LongTextField(help_text="What the position says on the question, in our words.")

    history = HistoricalRecords()
    objects = StanceQuerySet.as_manager()

    class Meta:
        ordering = ["question", "position"]
        indexes = [models.Index(fields=["stance"]), models.Index(fields=["updated_at"])]
        constraints = [
            models.UniqueConstraint(fields=["position", "question"], name="stance_unique_question"),
            enum_check("stance", "stance", StanceChoice),
        ]

    def __str__(self):
        who = self.position.author or self.position
        return f"{who}: {self.get_stance_display().lower()} — {self.question}"

    def get_absolute_url(self):
        if self.provision_id:
            return self.provision.get_absolute_url()
        return self.position.get_absolute_url() + "#stances"

    def clean(self):
        if (
            self.provision_id
            and self.position_id
            and self.provision.instrument_id != self.position_id
        ):
            raise ValidationError({"provision": "The paragraph must belong to the position."})
