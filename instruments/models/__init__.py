"""The documents and who stands where. One module per part; everything is importable from
instruments.models."""

from .documents import (
    FIRST_DATE,
    Instrument,
    InstrumentKind,
    InstrumentQuerySet,
    InstrumentRelation,
    InstrumentStatus,
    LegalForce,
    Organization,
    Provision,
    RelationKind,
    Scope,
    State,
)
from .participation import (
    Membership,
    MembershipQuerySet,
    Participation,
    ParticipationQuerySet,
    ParticipationStatus,
    RecordedVote,
    Vote,
    VoteChoice,
)

__all__ = [
    "FIRST_DATE", "Instrument", "InstrumentKind", "InstrumentQuerySet", "InstrumentRelation",
    "InstrumentStatus", "LegalForce", "Membership", "MembershipQuerySet", "Organization",
    "Participation", "ParticipationQuerySet", "ParticipationStatus", "Provision",
    "RecordedVote", "RelationKind", "Scope", "State", "Vote", "VoteChoice",
]  # fmt: skip
