"""Who stands where: participation in instruments (by a state or an organisation), membership
of organisations, and votes on resolutions."""

import datetime

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from normsdb.models import LongTextField, TimeStamped, enum_check

from .documents import Instrument, Organization, State


class ParticipationStatus(models.TextChoices):
    SIGNATORY = "signatory", "Signatory"
    PARTY = "party", "Party"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPPORTER = "supporter", "Supporter"


class ParticipationQuerySet(models.QuerySet):
    def by_state(self):
        return self.filter(state__isnull=False)

    def by_organization(self):
        return self.filter(organization__isnull=False)


class Participation(TimeStamped):
    """A state's or an organisation's standing towards one instrument, as the depositary's
    chart (or the list of supporters) shows it. The EU signs and ratifies conventions in its
    own name; that is an organisation's participation, not 27 states'."""

    Status = ParticipationStatus

    state = models.ForeignKey(
        State, on_delete=models.CASCADE, null=True, blank=True, related_name="participations"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participations",
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="participations"
    )
    status = models.CharField(max_length=20, choices=Status)
    signed_on = models.DateField(null=True, blank=True)
    consented_on = models.DateField(
        null=True,
        blank=True,
        help_text="Ratification, acceptance, approval or accession; for a supporter, the date "
        "it joined.",
    )
    note = LongTextField(
        blank=True,
        help_text="Reservations and declarations. A reservation narrows an obligation for this "
        "party; it does not remove it for others.",
    )
    source_url = models.URLField(max_length=500, blank=True, help_text="The depositary's chart.")

    history = HistoricalRecords()
    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["instrument", "state__name", "organization__name"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["state", "status"]),
            models.Index(fields=["organization"]),
            models.Index(fields=["consented_on"]),
            models.Index(fields=["signed_on"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "instrument"],
                condition=Q(state__isnull=False),
                name="participation_unique_state_instrument",
            ),
            models.UniqueConstraint(
                fields=["organization", "instrument"],
                condition=Q(organization__isnull=False),
                name="participation_unique_organization_instrument",
            ),
            models.CheckConstraint(
                condition=Q(state__isnull=False, organization__isnull=True)
                | Q(state__isnull=True, organization__isnull=False),
                name="participation_by_state_or_organization",
                violation_error_message="A participant is one state or one organisation.",
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
        return f"{self.participant} — {self.instrument} ({self.get_status_display()})"

    @property
    def participant(self):
        return self.state or self.organization

    def get_absolute_url(self):
        return self.instrument.get_absolute_url() + "#participants"


class MembershipQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        """Members on a date: joined on or before it (or on an unknown date) and not left."""
        on = on or datetime.date.today()
        return self.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=on)).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=on)
        )


class Membership(TimeStamped):
    """A state's membership of an organisation, with its dates. It is how EU law binds the
    member states, and it places a state in the G7 or NATO when those adopt a text."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "state__name"]
        indexes = [models.Index(fields=["state"]), models.Index(fields=["updated_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "state"], name="membership_unique_state"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joining",
                violation_error_message="A state cannot leave before it joins.",
            ),
        ]

    def __str__(self):
        return f"{self.state} in {self.organization}"

    def is_current(self, on: datetime.date) -> bool:
        """The rule of MembershipQuerySet.current(), for one record."""
        joined = self.joined_on is None or self.joined_on <= on
        return joined and (self.left_on is None or self.left_on > on)

    def get_absolute_url(self):
        return self.state.get_absolute_url()


class RecordedVote(TimeStamped):
    """How a General Assembly resolution was adopted by recorded vote: the official totals
    as announced, and where they are recorded. Each state's vote is a Vote row; the totals
    are kept so that the rows can be checked against them."""

    instrument = models.OneToOneField(
        Instrument, on_delete=models.CASCADE, related_name="recorded_vote"
    )
    date = models.DateField(null=True, blank=True)
    meeting = models.CharField(
        max_length=40, blank=True, help_text="The plenary meeting record: A/73/PV.45."
    )
    in_favour = models.PositiveSmallIntegerField()
    against = models.PositiveSmallIntegerField()
    abstaining = models.PositiveSmallIntegerField()
    source_url = models.URLField(
        max_length=500, help_text="The voting record, meeting record or press release."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument"]

    def __str__(self):
        return f"{self.instrument}: {self.in_favour}–{self.against}–{self.abstaining}"

    def get_absolute_url(self):
        return self.instrument.get_absolute_url() + "#votes"


class VoteChoice(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    ABSTAIN = "abstain", "Abstain"
    ABSENT = "absent", "Absent"


class Vote(TimeStamped):
    """One state's vote on a resolution adopted by recorded vote. The source is the
    resolution's RecordedVote: one voting record lists every state."""

    Choice = VoteChoice

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="votes")
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="votes")
    vote = models.CharField(max_length=8, choices=VoteChoice)

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "state__name"]
        indexes = [
            models.Index(fields=["state", "vote"]),
            models.Index(fields=["vote"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "state"], name="vote_unique_state"),
            enum_check("vote", "vote", VoteChoice),
        ]

    def __str__(self):
        return f"{self.state} voted {self.vote} on {self.instrument}"

    def get_absolute_url(self):
        return self.instrument.get_absolute_url() + "#votes"
