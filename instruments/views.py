import re
from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, render
from django_filters.views import FilterView

from normsdb.citations import cite, schema_org
from normsdb.pagecache import shows
from obligations.models import (
    Attribution,
    DutyBearer,
    LegalQuestion,
    Obligation,
    ResponseAction,
    Topic,
)

from .filters import InstrumentFilter, StateFilter
from .models import Instrument, InstrumentRelation, State, VoteChoice
from .profiles import state_profile

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")

INSTRUMENT_SORTS = {
    "title": (Lower("title"),),
    "-date": (F("sort_date").desc(nulls_last=True), Lower("title")),
    "date": (F("sort_date").asc(nulls_last=True), Lower("title")),
    "force": ("legal_force", Lower("title")),
}

PARTICIPANT_SORTS = {
    "state": lambda p: p.participant.name,
    "status": lambda p: (p.status, p.participant.name),
    "signed": lambda p: (p.signed_on is None, p.signed_on or 0, p.participant.name),
    "consented": lambda p: (p.consented_on is None, p.consented_on or 0, p.participant.name),
}


class InstrumentListView(FilterView):
    filterset_class = InstrumentFilter
    cache_kinds = frozenset(
        {
            "instruments.instrument",
            "instruments.membership",
            "instruments.organization",
            "instruments.participation",
            "instruments.state",
            "obligations.topic",
        }
    )
    paginate_by = 25
    template_name = "instruments/instrument_list.html"

    def get_queryset(self):
        return Instrument.objects.with_first_date().select_related("organization")

    def get_ordering(self):
        return INSTRUMENT_SORTS[self.sort]

    @property
    def sort(self):
        sort = self.request.GET.get("sort", "title")
        return sort if sort in INSTRUMENT_SORTS else "title"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sort=self.sort, **kwargs)


# "79 parties · 2 signatories": the status in the singular and the plural.
STATUS_WORDS = {
    "party": ("party", "parties"),
    "signatory": ("signatory", "signatories"),
    "supporter": ("supporter", "supporters"),
    "withdrawn": ("withdrawn", "withdrawn"),
}


def status_counts(participations):
    counts = Counter(p.status for p in participations)
    return [
        (counts[status], words[0] if counts[status] == 1 else words[1])
        for status, words in STATUS_WORDS.items()
        if counts[status]
    ]


@shows(
    "obligations.stance",
    "obligations.legalquestion",
    "instruments.vote",
    "instruments.recordedvote",
    "instruments.instrument",
    "instruments.instrumentrelation",
    "instruments.organization",
    "instruments.participation",
    "instruments.provision",
    "instruments.state",
    "obligations.norm",
    "obligations.obligation",
    "obligations.topic",
)
def instrument_detail(request, slug):
    instrument = get_object_or_404(
        Instrument.objects.select_related(
            "organization",
            "author_state",
            "author_organization",
            "binds_members_of",
            "recorded_vote",
        ).prefetch_related("topics"),
        slug=slug,
    )
    provisions = list(instrument.provisions.order_by("order", "label"))
    obligations = list(
        instrument.obligations.select_related("provision")
        .prefetch_related("norms")
        .order_by("provision__order", "slug")
    )
    participations = list(instrument.participations.select_related("state", "organization"))
    relations = list(
        InstrumentRelation.objects.filter(
            Q(from_instrument=instrument) | Q(to_instrument=instrument)
        )
        .select_related("from_instrument", "to_instrument")
        .order_by("kind")
    )

    sort = request.GET.get("sort", "state")
    participations.sort(key=PARTICIPANT_SORTS.get(sort, PARTICIPANT_SORTS["state"]))
    by_provision = defaultdict(list)
    norms = {}
    for obligation in obligations:
        by_provision[obligation.provision_id].append(obligation)
        for norm in obligation.norms.all():
            norms.setdefault(norm.pk, norm)

    return render(
        request,
        "instruments/instrument_detail.html",
        {
            "instrument": instrument,
            "provision_tree": provision_tree(provisions, by_provision),
            "loose_obligations": by_provision.get(None, []),
            "obligation_count": len(obligations),
            "norms": sorted(norms.values(), key=lambda n: (n.code, n.title)),
            "participations": participations,
            "participation_counts": status_counts(participations),
            "participant_sort": sort,
            "members": instrument.binds_members_of.memberships.current().select_related("state")
            if instrument.binds_members_of_id
            else [],
            "votes": vote_table(instrument, request.GET.get("votes", "state")),
            "stances": instrument.stances.select_related("question", "provision").order_by(
                "question__order"
            ),
            "relations_out": [r for r in relations if r.from_instrument_id == instrument.pk],
            "relations_in": [r for r in relations if r.to_instrument_id == instrument.pk],
            "citation": cite(instrument),
            "jsonld": schema_org(instrument),
        },
    )


VOTE_SORTS = {
    "state": lambda v: v.state.name,
    "region": lambda v: (v.state.region, v.state.subregion, v.state.name),
    "vote": lambda v: (list(VoteChoice.values).index(v.vote), v.state.name),
}


def vote_table(instrument, sort):
    """The recorded vote state by state, sortable, with its totals set against the official
    ones (they must agree; a test checks every resolution)."""
    if not hasattr(instrument, "recorded_vote"):
        return None
    votes = sorted(
        instrument.votes.select_related("state"), key=VOTE_SORTS.get(sort, VOTE_SORTS["state"])
    )
    counts = Counter(v.vote for v in votes)
    official = instrument.recorded_vote
    return {
        "rows": votes,
        "sort": sort if sort in VOTE_SORTS else "state",
        "totals": [
            ("In favour", counts["yes"], official.in_favour),
            ("Against", counts["no"], official.against),
            ("Abstaining", counts["abstain"], official.abstaining),
            ("Absent or not voting", counts["absent"], None),
        ],
        "record": official,
    }


def provision_tree(provisions, obligations_by_provision):
    """Nest provisions under their parents, each with its obligations: [(provision, depth)]."""
    children = defaultdict(list)
    for provision in provisions:
        children[provision.parent_id].append(provision)
    rows = []

    def walk(parent_id, depth):
        for provision in children.get(parent_id, []):
            provision.obligation_list = obligations_by_provision.get(provision.pk, [])
            rows.append((provision, depth))
            if depth < 10:
                walk(provision.pk, depth + 1)

    walk(None, 0)
    return rows


class StateListView(FilterView):
    filterset_class = StateFilter
    cache_kinds = frozenset(
        {
            "instruments.participation",
            "instruments.state",
        }
    )
    paginate_by = 100
    template_name = "instruments/state_list.html"

    def get_queryset(self):
        return State.objects.annotate(
            party_count=Count("participations", filter=Q(participations__status="party")),
            participation_count=Count("participations"),
        ).order_by("name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(regions=regions(), **kwargs)


def regions():
    """The UN regions, each once (ordering by region, not by the model's default name)."""
    return list(
        State.objects.exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


# What a state's profile shows, on its page and in the comparison of states.
STATE_PROFILE_KINDS = (
    "obligations.stance",
    "obligations.legalquestion",
    "instruments.vote",
    "instruments.recordedvote",
    "instruments.instrument",
    "instruments.membership",
    "instruments.organization",
    "instruments.participation",
    "instruments.provision",
    "instruments.state",
    "obligations.attribution",
    "obligations.incident",
    "obligations.obligation",
    "obligations.responseaction",
    "obligations.responsemeasure",
    "obligations.topic",
)


@shows(*STATE_PROFILE_KINDS)
def state_detail(request, code):
    state = get_object_or_404(State, code=code.upper())
    obligations = list(
        Obligation.objects.binding_on(state)
        .select_related("instrument", "provision")
        .prefetch_related("topics")
        .order_by("instrument__title", "provision__order", "slug")
    )
    own = [o for o in obligations if o.duty_bearer in DutyBearer.STATE_BEARERS]
    return render(
        request,
        "instruments/state_detail.html",
        {
            "state": state,
            "profile": state_profile(state),
            "citation": cite(state),
            "questions": LegalQuestion.objects.all(),
            "obligations_by_topic": by_root_topic(own),
            "obligation_count": len(own),
            "others_by_topic": by_root_topic([o for o in obligations if o not in own]),
            "as_victim": state.incidents_suffered.order_by(F("started_on").desc(nulls_last=True)),
            "as_attributor": Attribution.objects.filter(by_state=state)
            .select_related("incident")
            .order_by("-date"),
            "as_attributed": Attribution.objects.filter(to_states=state)
            .select_related("incident", "by_state", "by_organization")
            .order_by("-date"),
            "as_responder": ResponseAction.objects.filter(by_states=state)
            .select_related("incident", "measure")
            .order_by("-date"),
        },
    )


def by_root_topic(obligations):
    """[(top-level topic or None, [obligations])], topics by name, untagged last."""
    topics = {t.pk: t for t in Topic.objects.all()}
    grouped = defaultdict(list)
    for obligation in obligations:
        roots = {root_topic(t, topics) for t in obligation.topics.all()} or {None}
        for root in roots:
            grouped[root].append(obligation)
    return sorted(grouped.items(), key=lambda item: (item[0] is None, str(item[0] or "")))


@shows(*STATE_PROFILE_KINDS)
def compare_states(request):
    """Two or three states side by side: what binds them, what they endorsed, how they voted,
    what they say the law is; rows where they differ are marked."""
    given = [c.strip().upper() for c in request.GET.getlist("s") if c.strip()]
    codes = list(dict.fromkeys(c for c in given if re.fullmatch(r"[A-Z]{2}", c)))[:3]
    states = {s.code: s for s in State.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in states] + [
        repr(c)[1:-1][:20] for c in given if not re.fullmatch(r"[A-Z]{2}", c)
    ]
    chosen = [states[c] for c in codes if c in states]
    context = {
        "states": chosen,
        "unknown": unknown,
        "choices": State.objects.order_by("name"),
        "slots": (codes + ["", "", ""])[:3],
    }
    if len(chosen) >= 2:
        context.update(side_by_side([state_profile(s) for s in chosen]))
    status = 400 if unknown or (codes and len(chosen) < 2) else 200
    return render(request, "instruments/compare_states.html", context, status=status)


def side_by_side(profiles):
    """Rows of the comparison: each instrument, resolution or question once, with one cell per
    state, and whether the states differ on it."""

    def rows(per_state, order):
        """per_state: one {record: (cell, value)} per profile; `value` is what is compared
        (bound or not, the vote, the stance)."""
        records = sorted({r for cells in per_state for r in cells}, key=order)
        out = []
        for record in records:
            cells = [cells.get(record, (None, None)) for cells in per_state]
            values = {value for _, value in cells}
            out.append(
                {"record": record, "cells": [c for c, _ in cells], "differs": len(values) > 1}
            )
        return out

    questions = list(LegalQuestion.objects.all())
    by_id = {q.pk: q for q in questions}
    return {
        "binding_rows": rows(
            [{b.instrument: (b, b.via) for b in p.binding} for p in profiles],
            order=lambda i: i.title.lower(),
        ),
        "endorsed_rows": rows(
            [{e.instrument: (e, e.status) for e in p.endorsed} for p in profiles],
            order=lambda i: i.title.lower(),
        ),
        "vote_rows": rows(
            [{v.instrument: (v, v.vote) for v in p.votes} for p in profiles],
            order=lambda i: (-(i.adopted_on or date.min).toordinal(), i.title),
        ),
        "law_rows": rows(
            [{by_id[q]: (s, s.stance) for q, s in p.stances.items()} for p in profiles],
            order=lambda q: (q.order, q.name),
        ),
    }


def root_topic(topic, topics_by_id):
    """The top-level ancestor of a topic, looked up in a map of all topics."""
    seen = set()
    while topic.parent_id is not None and topic.pk not in seen:
        seen.add(topic.pk)
        topic = topics_by_id[topic.parent_id]
    return topic


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@shows(
    "instruments.instrument",
    "instruments.organization",
    "instruments.participation",
    "instruments.provision",
    "instruments.state",
    "obligations.norm",
    "obligations.obligation",
    "obligations.topic",
)
def compare(request):
    # Only what can be a slug reaches the database (a NUL byte would be a driver error).
    slugs = list(dict.fromkeys(s for s in request.GET.getlist("i") if SLUG.fullmatch(s)))
    invalid = [s for s in request.GET.getlist("i") if s and not SLUG.fullmatch(s)]
    message = ""
    if len(slugs) > 4:
        message = "Compare up to four instruments; only the first four are shown."
        slugs = slugs[:4]
    # Only slug-shaped values reach the database (a NUL byte cannot even be sent to it).
    found = {
        i.slug: i
        for i in Instrument.objects.filter(slug__in=[s for s in slugs if SLUG.fullmatch(s)])
        .select_related("organization")
        .annotate(party_count=Count("participations", distinct=True))
    }
    unknown = [s for s in slugs if s not in found] + [repr(s)[1:-1][:40] for s in invalid]
    instruments = [found[s] for s in slugs if s in found]
    context = {
        "instruments": instruments,
        "unknown": unknown,
        "message": message,
        "choices": sorted(
            Instrument.objects.only("slug", "title", "short_title"), key=lambda i: str(i).lower()
        ),
        "slots": (slugs + ["", "", "", ""])[:4],
    }
    if len(instruments) >= 2:
        context.update(compare_coverage(instruments))
    status = 404 if unknown and len(instruments) < 2 else 200
    return render(request, "instruments/compare.html", context, status=status)


def compare_coverage(instruments):
    """For each norm and topic: per instrument, the modalities of its obligations."""
    obligations = Obligation.objects.filter(instrument__in=instruments).prefetch_related(
        "norms", "topics"
    )
    norm_cells, topic_cells, norms, topics = defaultdict(dict), defaultdict(dict), {}, {}
    for obligation in obligations:
        for norm in obligation.norms.all():
            norms[norm.pk] = norm
            norm_cells[norm.pk].setdefault(obligation.instrument_id, set()).add(obligation.modality)
        for topic in obligation.topics.all():
            topics[topic.pk] = topic
            topic_cells[topic.pk].setdefault(obligation.instrument_id, set()).add(
                obligation.modality
            )

    def rows(records, cells):
        return [
            (record, [sorted(cells[record.pk].get(i.pk, ())) for i in instruments])
            for record in records
        ]

    return {
        "norm_rows": rows(sorted(norms.values(), key=lambda n: (n.code, n.title)), norm_cells),
        "topic_rows": rows(sorted(topics.values(), key=lambda t: t.name), topic_cells),
    }
