"""What happened: incidents, who attributed them to whom, the norms they are said to breach,
the responses taken, and the proportionality view of each response."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from simple_history.models import HistoricalRecords

from instruments.models import Organization, Provision, State
from normsdb.models import LongTextField, TaggedQuerySet, TimeStamped, enum_check

from .norms import Norm, Topic
from .responses import CONFIDENCE_RANK, Confidence, ResponseMeasure

# The kinds of record an incident's full record (`with_record`) reads: what its page and its
# API answers show, and so what their cached copies depend on.
INCIDENT_RECORD_KINDS = frozenset(
    {
        "instruments.instrument",
        "instruments.organization",
        "instruments.provision",
        "instruments.state",
        "obligations.allegedbreach",
        "obligations.attribution",
        "obligations.incident",
        "obligations.norm",
        "obligations.responseaction",
        "obligations.responsemeasure",
        "obligations.topic",
    }
)


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
