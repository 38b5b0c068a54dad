"""The taxonomy of topics, the norms of state behaviour and the obligations of each instrument."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from simple_history.models import HistoricalRecords

from instruments.models import Instrument, Provision
from normsdb.models import LongTextField, TaggedQuerySet, TimeStamped, enum_check

ISO_DURATION = r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$"


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
