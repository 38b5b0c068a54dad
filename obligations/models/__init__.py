"""What instruments require, the answers open to states when a norm is broken, what happened
(incidents, attributions, breaches, responses), and what states say the law is. One module
per part; everything is importable from obligations.models."""

from .incidents import (
    INCIDENT_RECORD_KINDS,
    AllegedBreach,
    Attribution,
    AttributionBasis,
    DatePrecision,
    Incident,
    IncidentQuerySet,
    OperationType,
    ResponseAction,
    ThresholdCheck,
    TimelineEvent,
    strongest,
)
from .norms import (
    ISO_DURATION,
    DutyBearer,
    Modality,
    Norm,
    NormQuerySet,
    Obligation,
    ObligationQuerySet,
    Topic,
    TopicQuerySet,
    duration_in_words,
)
from .positions import LegalQuestion, Stance, StanceChoice, StanceQuerySet
from .responses import (
    CONFIDENCE_RANK,
    Confidence,
    EscalationLevel,
    MeasureCategory,
    ResponseMeasure,
    ResponseMeasureQuerySet,
)

__all__ = [
    "AllegedBreach", "Attribution", "AttributionBasis", "CONFIDENCE_RANK", "Confidence",
    "DatePrecision", "DutyBearer", "EscalationLevel", "INCIDENT_RECORD_KINDS", "ISO_DURATION",
    "Incident",
    "IncidentQuerySet", "LegalQuestion", "MeasureCategory", "Modality", "Norm", "NormQuerySet",
    "Obligation", "ObligationQuerySet", "OperationType", "ResponseAction", "ResponseMeasure",
    "ResponseMeasureQuerySet", "Stance", "StanceChoice", "StanceQuerySet", "ThresholdCheck",
    "TimelineEvent", "Topic", "TopicQuerySet", "duration_in_words", "strongest",
]  # fmt: skip
