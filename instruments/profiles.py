"""A state's standing, in the four parts a diplomat asks about: what binds it, what it
endorsed, how it voted, what it says the law is. The state page shows one profile; the state
comparison lays two or three side by side. Each profile costs a fixed number of queries,
whatever the number of rows."""

from dataclasses import dataclass, field

from django.db.models import F, Q

from .models import Instrument, LegalForce, Membership, Participation, Vote


@dataclass
class Binding:
    """An instrument that binds the state, and how: as a party (since its consent) or as a
    member of the organisation whose members the instrument binds (since it joined)."""

    instrument: Instrument
    via: str  # "party" or "member"
    since: object = None
    participation: Participation | None = None
    membership: Membership | None = None


@dataclass
class StateProfile:
    state: object
    binding: list = field(default_factory=list)
    signed: list = field(default_factory=list)
    endorsed: list = field(default_factory=list)
    votes: list = field(default_factory=list)
    positions: list = field(default_factory=list)
    stances: dict = field(default_factory=dict)  # question id → the latest stance

    @property
    def binding_ids(self):
        return {b.instrument.pk for b in self.binding}


def state_profile(state, *, on=None):
    from obligations.models import Stance

    binding_on = set(Instrument.objects.binding_on(state, on).values_list("pk", flat=True))
    participations = list(
        Participation.objects.filter(state=state)
        .select_related("instrument__organization")
        .order_by("instrument__title")
    )
    profile = StateProfile(state=state)
    for participation in participations:
        instrument = participation.instrument
        if instrument.pk in binding_on and participation.status == Participation.Status.PARTY:
            profile.binding.append(
                Binding(instrument, "party", participation.consented_on, participation)
            )
        elif instrument.legal_force == LegalForce.BINDING:
            profile.signed.append(participation)
        else:
            profile.endorsed.append(participation)

    memberships = {
        m.organization_id: m
        for m in Membership.objects.current(on).filter(state=state).select_related("organization")
    }
    through_membership = (
        Instrument.objects.filter(pk__in=binding_on, binds_members_of__in=list(memberships))
        .select_related("organization", "binds_members_of")
        .order_by("title")
    )
    for instrument in through_membership:
        membership = memberships[instrument.binds_members_of_id]
        profile.binding.append(
            Binding(instrument, "member", membership.joined_on, membership=membership)
        )
    profile.binding.sort(key=lambda b: b.instrument.title.lower())

    profile.votes = list(
        Vote.objects.filter(state=state)
        .select_related("instrument__recorded_vote")
        .order_by("-instrument__adopted_on", "instrument__title")
    )
    profile.positions = list(
        Instrument.objects.positions_of(state).order_by("-adopted_on", "title")
    )
    stances = (
        Stance.objects.filter(Q(position__author_state=state))
        .select_related("question", "position", "provision")
        .order_by("question__order", F("position__adopted_on").asc(nulls_first=True))
    )
    for stance in stances:  # later positions replace earlier ones on the same question
        profile.stances[stance.question_id] = stance
    return profile
