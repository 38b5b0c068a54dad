"""What states say the law is: the legal questions positions are compared on, and each
position's stance on them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from instruments.models import Instrument, Provision
from normsdb.models import LongTextField, TimeStamped, enum_check


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
