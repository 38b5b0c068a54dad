"""The documents: who wrote them, what they say article by article, and who is bound."""

import datetime
import re

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from normsdb.models import TimeStamped, enum_check

# Full-text configuration created by migration: English stemming after unaccent.
SEARCH_CONFIG = "normsdb"


def search_vector(*weighted_fields):
    """A weighted tsvector over this row's own fields, for a GeneratedField."""
    vector = None
    for field, weight in weighted_fields:
        part = SearchVector(field, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return vector


def iso_or_none(date):
    return date.isoformat() if date else None


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


class InstrumentQuerySet(models.QuerySet):
    def binding(self):
        return self.filter(legal_force=Instrument.LegalForce.BINDING)

    def in_force(self):
        """Instruments whose status says in force (a treaty with no date is not in force)."""
        return self.filter(status=Instrument.Status.IN_FORCE)

    def binding_on(self, state):
        """Binding instruments in force to which the state is a party.

        A signatory is not bound (it must only not defeat the treaty's object), and a treaty
        that has not entered into force binds nobody yet.
        """
        return (
            self.binding()
            .in_force()
            .filter(
                Exists(
                    Participation.objects.filter(
                        instrument_id=OuterRef("pk"),
                        state=state,
                        status=Participation.Status.PARTY,
                    )
                )
            )
        )

    def participated_by(self, state):
        """Instruments the state has any standing towards (signatory, party, supporter…)."""
        return self.filter(
            Exists(Participation.objects.filter(instrument_id=OuterRef("pk"), state=state))
        )

    def articulating(self, norm):
        """Instruments with at least one obligation linked to the norm."""
        from obligations.models import Obligation

        return self.filter(
            Exists(Obligation.objects.filter(instrument_id=OuterRef("pk"), norms=norm))
        )

    def for_topic(self, topic):
        from obligations.models import Topic

        return self.filter(
            Exists(
                Instrument.topics.through.objects.filter(
                    instrument_id=OuterRef("pk"), topic__in=Topic.objects.subtree(topic)
                )
            )
        )

    def with_first_date(self):
        """The date a reader would cite: adoption, else opening for signature, else force."""
        return self.annotate(sort_date=FIRST_DATE)


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
    summary = models.TextField(blank=True, help_text="In our own words, never quoted.")
    source_url = models.URLField(max_length=500, blank=True, help_text="The official text.")
    topics = models.ManyToManyField("obligations.Topic", blank=True, related_name="instruments")
    last_reviewed_on = models.DateField(null=True, blank=True)
    search_vector = models.GeneratedField(
        expression=search_vector(
            ("title", "A"), ("short_title", "A"), ("symbol", "A"), ("summary", "B")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["search_vector"], m2m_fields=[topics])
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
            GinIndex(fields=["search_vector"], name="instrument_search"),
            GinIndex(name="instrument_title_trgm", fields=["title"], opclasses=["gin_trgm_ops"]),
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
        ]

    def __str__(self):
        return self.short_title or self.title

    def get_absolute_url(self):
        return reverse("instruments:detail", args=[self.slug])

    def clean(self):
        if (
            self.entered_into_force_on
            and self.opened_for_signature_on
            and self.entered_into_force_on < self.opened_for_signature_on
        ):
            raise ValidationError(
                {"entered_into_force_on": "Entry into force cannot precede opening for signature."}
            )

    @property
    def first_date(self):
        """The date a reader would cite: adoption, else opening for signature, else force."""
        return self.adopted_on or self.opened_for_signature_on or self.entered_into_force_on

    @property
    def year(self):
        return self.first_date.year if self.first_date else None

    @staticmethod
    def schema_org(data):
        """schema.org `Legislation` from an instrument's API representation."""
        node = {
            "@type": "Legislation",
            "@id": data.get("html_url"),
            "name": data["title"],
            "alternateName": data.get("short_title") or None,
            "identifier": data.get("symbol") or None,
            "legislationIdentifier": data.get("symbol") or None,
            "legislationType": data.get("kind"),
            "legislationDate": data.get("adopted_on") or data.get("opened_for_signature_on"),
            "legislationLegalForce": "InForce"
            if data.get("status") == "in_force"
            else "NotInForce"
            if data.get("status") in ("superseded", "terminated")
            else None,
            "datePublished": data.get("adopted_on") or data.get("opened_for_signature_on"),
            "dateModified": data.get("updated_at"),
            "url": data.get("html_url"),
            "sameAs": data.get("source_url") or None,
            "description": data.get("summary") or None,
            "keywords": data.get("topics") or None,
            "legislationPassedBy": (
                {
                    "@type": "Organization",
                    "name": data.get("organization_name"),
                    "identifier": data["organization"],
                }
                if data.get("organization")
                else None
            ),
        }
        if data.get("entered_into_force_on"):
            node["legislationDateVersion"] = data["entered_into_force_on"]
        return {key: value for key, value in node.items() if value is not None}

    def schema_org_data(self, url):
        """The page's schema.org JSON-LD, from the record itself (no API round trip)."""
        data = {
            "title": self.title,
            "short_title": self.short_title,
            "symbol": self.symbol,
            "kind": self.kind,
            "status": self.status,
            "summary": self.summary,
            "adopted_on": iso_or_none(self.adopted_on),
            "opened_for_signature_on": iso_or_none(self.opened_for_signature_on),
            "entered_into_force_on": iso_or_none(self.entered_into_force_on),
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "html_url": url,
            "source_url": self.source_url,
            "topics": [topic.name for topic in self.topics.all()],
            "organization": self.organization.slug if self.organization else None,
            "organization_name": self.organization.name if self.organization else None,
        }
        return {"@context": "https://schema.org", **Instrument.schema_org(data)}

    def citation(self, url):
        """A plain-text reference: title, symbol, body, date, then the permalink."""
        parts = [self.title + (f", {self.symbol}" if self.symbol else "")]
        if self.organization:
            parts.append(self.organization.name)
        if self.first_date:
            parts.append(self.first_date.strftime("%-d %B %Y"))
        text = ". ".join(parts) + f". NormsDB, {url}"
        if self.last_reviewed_on:
            text += f" (facts reviewed {self.last_reviewed_on:%-d %B %Y})"
        return text + "."

    def bibtex(self, url):
        def clean(value):
            return value.replace("{", "").replace("}", "").replace("\\", "")

        fields = [("title", "{" + clean(self.title) + "}")]
        if self.organization:
            fields.append(("author", "{" + clean(self.organization.name) + "}"))
        if self.first_date:
            fields.append(("year", str(self.first_date.year)))
        if self.symbol:
            fields.append(("number", clean(self.symbol)))
        fields += [("howpublished", "NormsDB"), ("url", url)]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{normsdb-{self.slug},\n{body}\n}}"

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        """In force on a date: needs an entry-into-force date on or before it."""
        on = on or datetime.date.today()
        if self.status in (self.Status.SUPERSEDED, self.Status.TERMINATED):
            return False
        return self.entered_into_force_on is not None and self.entered_into_force_on <= on


class Provision(TimeStamped):
    """One article, paragraph or rule of an instrument."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="provisions")
    label = models.CharField(max_length=60, help_text="Art. 29, para. 13(f), Rule 20.")
    heading = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True, help_text="In our own words, never quoted.")
    order = models.IntegerField(default=0, help_text="Reading order within the instrument.")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    source_url = models.URLField(max_length=500, blank=True)
    search_vector = models.GeneratedField(
        expression=search_vector(("label", "A"), ("heading", "A"), ("summary", "B")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["instrument", "order", "label"]
        indexes = [
            models.Index(fields=["instrument", "order"]),
            models.Index(fields=["updated_at"]),
            GinIndex(fields=["search_vector"], name="provision_search"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "label"], name="provision_label_unique_in_instrument"
            ),
            models.CheckConstraint(condition=~Q(label=""), name="provision_label_not_empty"),
        ]

    def __str__(self):
        return f"{self.instrument}, {self.label}"

    @property
    def anchor(self):
        return "p-" + re.sub(r"[^a-z0-9]+", "-", self.label.lower()).strip("-")

    def get_absolute_url(self):
        return self.instrument.get_absolute_url() + "#" + self.anchor


class ParticipationStatus(models.TextChoices):
    SIGNATORY = "signatory", "Signatory"
    PARTY = "party", "Party"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPPORTER = "supporter", "Supporter"


class Participation(TimeStamped):
    """A state's standing towards one instrument, as the depositary's chart shows it."""

    Status = ParticipationStatus

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="participations")
    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="participations"
    )
    status = models.CharField(max_length=20, choices=Status)
    signed_on = models.DateField(null=True, blank=True)
    consented_on = models.DateField(
        null=True, blank=True, help_text="Ratification, acceptance, approval or accession."
    )
    note = models.TextField(
        blank=True,
        help_text="Reservations and declarations. A reservation narrows an obligation for this "
        "party; it does not remove it for others.",
    )
    source_url = models.URLField(max_length=500, blank=True, help_text="The depositary's chart.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "state__name"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["state", "status"]),
            models.Index(fields=["consented_on"]),
            models.Index(fields=["signed_on"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "instrument"], name="participation_unique_state_instrument"
            ),
            enum_check("participation", "status", ParticipationStatus),
            models.CheckConstraint(
                condition=Q(consented_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(consented_on__gte=models.F("signed_on")),
                name="participation_consent_after_signature",
                violation_error_message="Consent to be bound cannot precede signature.",
            ),
        ]

    def __str__(self):
        return f"{self.state} — {self.instrument} ({self.get_status_display()})"

    def clean(self):
        if self.signed_on and self.consented_on and self.consented_on < self.signed_on:
            raise ValidationError({"consented_on": "Consent to be bound cannot precede signature."})

    def get_absolute_url(self):
        return self.instrument.get_absolute_url() + "#participants"


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
    note = models.TextField(blank=True)

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
