"""The documents: who wrote them, who they concern, and what they say article by article."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from normsdb.models import LongTextField, TaggedQuerySet, TimeStamped, enum_check


class Organization(TimeStamped):
    """The forum or body behind instruments (UN General Assembly, Council of Europe…)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=40, blank=True)
    url = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.acronym or self.name

    def get_absolute_url(self):
        return reverse("instruments:list") + f"?organization={self.slug}"


class State(TimeStamped):
    """A UN member state, keyed by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(
        max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2 code, upper case (DE)."
    )
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=60, blank=True, help_text="UN M49 region (Europe).")
    subregion = models.CharField(
        max_length=80, blank=True, help_text="UN M49 sub-region (Western Europe)."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["region"])]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2}$"), name="state_code_iso")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("instruments:state", args=[self.code])


FIRST_DATE = Coalesce("adopted_on", "opened_for_signature_on", "entered_into_force_on")


class InstrumentQuerySet(TaggedQuerySet):
    def binding(self):
        return self.filter(legal_force=Instrument.LegalForce.BINDING)

    def in_force(self, on: datetime.date | None = None):
        """In force on a date (today by default): the status says in force and, when the
        entry-into-force date is known, it is on or before that date. A superseded or
        terminated instrument is not in force; a treaty still open for signature is not
        either. `Instrument.is_in_force()` asks the same of one record."""
        on = on or datetime.date.today()
        return self.filter(status=Instrument.Status.IN_FORCE).filter(
            Q(entered_into_force_on__isnull=True) | Q(entered_into_force_on__lte=on)
        )

    def not_in_force(self, on: datetime.date | None = None):
        return self.exclude(pk__in=Instrument.objects.in_force(on).values("pk"))

    def binding_on(self, state, on: datetime.date | None = None):
        """Binding instruments in force that bind the state: as a party, or through its
        membership of the organisation whose members the instrument binds (EU law binds the
        member states without their being parties to it).

        A signatory is not bound (it must only not defeat the treaty's object), and a treaty
        that has not entered into force binds nobody yet.
        """
        from .participation import Membership, Participation

        on = on or datetime.date.today()
        as_party = Exists(
            Participation.objects.filter(
                instrument_id=OuterRef("pk"), state=state, status=Participation.Status.PARTY
            )
        )
        as_member = Exists(
            Membership.objects.current(on).filter(
                organization_id=OuterRef("binds_members_of_id"), state=state
            )
        )
        return self.binding().in_force(on).filter(as_party | as_member)

    def participated_by(self, state):
        """Instruments the state has any standing towards (signatory, party, supporter…)."""
        from .participation import Participation

        return self.filter(
            Exists(Participation.objects.filter(instrument_id=OuterRef("pk"), state=state))
        )

    def articulating(self, norm):
        """Instruments with at least one obligation linked to the norm."""
        from obligations.models import Obligation

        return self.filter(
            Exists(Obligation.objects.filter(instrument_id=OuterRef("pk"), norms=norm))
        )

    def with_first_date(self):
        """The date a reader would cite: adoption, else opening for signature, else force."""
        return self.annotate(sort_date=FIRST_DATE)

    def positions_of(self, state):
        return self.filter(kind=Instrument.Kind.POSITION, author_state=state)


class InstrumentKind(models.TextChoices):
    TREATY = "treaty", "Treaty"
    PROTOCOL = "protocol", "Protocol"
    RESOLUTION = "resolution", "Resolution"
    REPORT = "report", "Report"
    DECLARATION = "declaration", "Declaration"
    DECISION = "decision", "Decision"
    LEGISLATION = "legislation", "Legislation"
    MANUAL = "manual", "Manual"
    POSITION = "position", "National position"


class LegalForce(models.TextChoices):
    BINDING = "binding", "Binding"
    POLITICALLY_BINDING = "politically_binding", "Politically binding"
    VOLUNTARY = "voluntary", "Voluntary"
    EXPERT_RESTATEMENT = "expert_restatement", "Expert restatement"
    CODIFICATION = "codification", "Codification"


class Scope(models.TextChoices):
    GLOBAL = "global", "Global"
    REGIONAL = "regional", "Regional"
    PLURILATERAL = "plurilateral", "Plurilateral"
    BILATERAL = "bilateral", "Bilateral"
    NATIONAL = "national", "National"


class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN_FOR_SIGNATURE = "open_for_signature", "Open for signature"
    IN_FORCE = "in_force", "In force"
    ADOPTED = "adopted", "Adopted"
    SUPERSEDED = "superseded", "Superseded"
    TERMINATED = "terminated", "Terminated"


class Instrument(TimeStamped):
    """Any text that states norms: treaty, resolution, report, declaration, manual…"""

    Kind = InstrumentKind
    LegalForce = LegalForce

    Scope = Scope
    Status = InstrumentStatus

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=500)
    short_title = models.CharField(max_length=200, blank=True)
    symbol = models.CharField(
        max_length=120, blank=True, help_text="Official number: A/70/174, ETS No. 185."
    )
    kind = models.CharField(max_length=20, choices=InstrumentKind)
    legal_force = models.CharField(max_length=20, choices=LegalForce)
    scope = models.CharField(max_length=20, choices=Scope)
    status = models.CharField(max_length=20, choices=Status)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="instruments"
    )
    region = models.CharField(max_length=80, blank=True, help_text="For regional instruments.")
    adopted_on = models.DateField(null=True, blank=True)
    opened_for_signature_on = models.DateField(null=True, blank=True)
    entered_into_force_on = models.DateField(
        null=True, blank=True, help_text="Empty means not (yet) in force."
    )
    summary = LongTextField(blank=True, help_text="In our own words, never quoted.")
    source_url = models.URLField(max_length=500, blank=True, help_text="The official text.")
    topics = models.ManyToManyField("obligations.Topic", blank=True, related_name="instruments")
    last_reviewed_on = models.DateField(null=True, blank=True)
    author_state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        help_text="For a national position: the state whose view it is.",
    )
    author_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        help_text="For a common position: the organisation whose view it is (AU, EU).",
    )
    binds_members_of = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="binding_acts",
        help_text="EU law and the like: binds the organisation's member states through their "
        "membership, without participation rows.",
    )
    adopted_without_vote = models.BooleanField(
        default=False, help_text="A resolution adopted without a vote (no recorded vote)."
    )

    history = HistoricalRecords(m2m_fields=[topics])
    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        permissions = [("mark_reviewed", "Can mark an instrument's facts as reviewed")]
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["legal_force"]),
            models.Index(fields=["scope"]),
            models.Index(fields=["status"]),
            models.Index(fields=["region"]),
            models.Index(fields=["adopted_on"]),
            models.Index(FIRST_DATE, name="instrument_first_date"),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            enum_check("instrument", "kind", InstrumentKind),
            enum_check("instrument", "legal_force", LegalForce),
            enum_check("instrument", "scope", Scope),
            enum_check("instrument", "status", InstrumentStatus),
            models.CheckConstraint(
                condition=Q(entered_into_force_on__isnull=True)
                | Q(opened_for_signature_on__isnull=True)
                | Q(entered_into_force_on__gte=models.F("opened_for_signature_on")),
                name="instrument_force_after_signature",
                violation_error_message="Entry into force cannot precede opening for signature.",
            ),
            models.CheckConstraint(
                condition=Q(author_state__isnull=True) | Q(author_organization__isnull=True),
                name="instrument_one_author",
                violation_error_message="A position has one author: a state or an organisation.",
            ),
            models.CheckConstraint(
                condition=Q(kind="position")
                | Q(author_state__isnull=True, author_organization__isnull=True),
                name="instrument_author_only_on_positions",
                violation_error_message="Only a national or common position has an author.",
            ),
        ]

    def __str__(self):
        return self.short_title or self.title

    def get_absolute_url(self):
        return reverse("instruments:detail", args=[self.slug])

    @property
    def first_date(self):
        """The date a reader would cite: adoption, else opening for signature, else force."""
        return self.adopted_on or self.opened_for_signature_on or self.entered_into_force_on

    @property
    def year(self):
        return self.first_date.year if self.first_date else None

    @property
    def chronological_key(self):
        """Sort key for a trail or a timeline: oldest first date first, undated last."""
        return (self.first_date is None, self.first_date or datetime.date.max, self.title.lower())

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        """The rule of InstrumentQuerySet.in_force(), for one record."""
        on = on or datetime.date.today()
        return self.status == self.Status.IN_FORCE and (
            self.entered_into_force_on is None or self.entered_into_force_on <= on
        )

    @property
    def author(self):
        """Whose view a national position states: a state or an organisation."""
        return self.author_state or self.author_organization


class Provision(TimeStamped):
    """One article, paragraph or rule of an instrument."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="provisions")
    label = models.CharField(max_length=60, help_text="Art. 29, para. 13(f), Rule 20.")
    heading = models.CharField(max_length=300, blank=True)
    summary = LongTextField(blank=True, help_text="In our own words, never quoted.")
    order = models.IntegerField(default=0, help_text="Reading order within the instrument.")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    source_url = models.URLField(max_length=500, blank=True)

    # History is looked up by record id and date only: indexes on its other columns would
    # slow every bulk import of provisions for nothing.
    history = HistoricalRecords(no_db_index=["instrument", "parent"])

    class Meta:
        ordering = ["instrument", "order", "label"]
        indexes = [
            models.Index(fields=["instrument", "order"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "label"], name="provision_label_unique_in_instrument"
            ),
            models.CheckConstraint(condition=~Q(label=""), name="provision_label_not_empty"),
        ]

    def __str__(self):
        return f"{self.instrument}, {self.label}"

    def clean(self):
        """A parent is another provision of the same instrument, and no provision encloses
        itself through its parents (a database trigger refuses the same)."""
        if self.parent_id is None:
            return
        parent = self.parent
        if self.instrument_id and parent.instrument_id != self.instrument_id:
            raise ValidationError(
                {"parent": "The parent must be a provision of the same instrument."}
            )
        seen = {self.pk} if self.pk else set()
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError(
                    {"parent": "This parent would make the provisions enclose each other."}
                )
            seen.add(parent.pk)
            parent = parent.parent

    @property
    def anchor(self):
        return "p-" + re.sub(r"[^a-z0-9]+", "-", self.label.lower()).strip("-")

    def get_absolute_url(self):
        return self.instrument.get_absolute_url() + "#" + self.anchor


class RelationKind(models.TextChoices):
    SUPPLEMENTS = "supplements", "Supplements"
    IMPLEMENTS = "implements", "Implements"
    SUPERSEDES = "supersedes", "Supersedes"
    AMENDS = "amends", "Amends"
    ENDORSES = "endorses", "Endorses"
    BUILDS_ON = "builds_on", "Builds on"


class InstrumentRelation(TimeStamped):
    """A directed link between instruments, shown from both sides."""

    Kind = RelationKind

    # How the relation reads from the other side, for the target's page.
    INVERSE_LABELS = {
        "supplements": "Supplemented by",
        "implements": "Implemented by",
        "supersedes": "Superseded by",
        "amends": "Amended by",
        "endorses": "Endorsed by",
        "builds_on": "Built on by",
    }

    from_instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="relations_from"
    )
    to_instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="relations_to"
    )
    kind = models.CharField(max_length=20, choices=RelationKind)
    note = LongTextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_instrument", "kind", "to_instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_instrument", "to_instrument", "kind"], name="relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_instrument=models.F("to_instrument")), name="relation_not_self"
            ),
            enum_check("relation", "kind", RelationKind),
        ]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self):
        return f"{self.from_instrument} {self.get_kind_display().lower()} {self.to_instrument}"

    def get_absolute_url(self):
        return self.from_instrument.get_absolute_url() + "#relations"

    @property
    def inverse_label(self):
        return self.INVERSE_LABELS[self.kind]
