from collections import Counter, defaultdict

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, Value, When
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView
from django_filters.views import FilterView

from instruments.models import Instrument, LegalForce, Membership, Provision, State
from instruments.views import regions
from normsdb.citations import cite
from normsdb.pagecache import shows

from .dashboard import incident_charts
from .filters import IncidentFilter, ObligationFilter
from .models import (
    INCIDENT_RECORD_KINDS,
    Attribution,
    EscalationLevel,
    Incident,
    LegalQuestion,
    MeasureCategory,
    Modality,
    Norm,
    Obligation,
    ResponseMeasure,
    Stance,
    Topic,
)

# Strongest first, for grouping obligations by the force of their instrument.
FORCE_ORDER = Case(
    *[
        When(instrument__legal_force=value, then=Value(rank))
        for rank, value in enumerate(LegalForce.values)
    ],
    output_field=IntegerField(),
)


def legal_basis_prefetch():
    return Prefetch("legal_basis", Provision.objects.select_related("instrument"))


class NormListView(ListView):
    cache_kinds = frozenset(
        {
            "obligations.norm",
            "obligations.obligation",
            "obligations.topic",
        }
    )
    paginate_by = 50
    template_name = "obligations/norm_list.html"

    def get_queryset(self):
        return (
            Norm.objects.with_instrument_count()
            .prefetch_related("topics")
            .order_by("code", "title")
        )


@shows(
    "instruments.instrument",
    "instruments.organization",
    "instruments.provision",
    "instruments.state",
    "obligations.allegedbreach",
    "obligations.incident",
    "obligations.norm",
    "obligations.obligation",
    "obligations.responsemeasure",
    "obligations.topic",
)
def norm_detail(request, slug):
    norm = get_object_or_404(
        Norm.objects.select_related("origin").prefetch_related("topics"), slug=slug
    )
    obligations = (
        Obligation.objects.filter(norms=norm)
        .select_related("instrument__organization", "provision")
        .order_by("slug")
    )
    by_instrument = defaultdict(list)
    for obligation in obligations:
        by_instrument[obligation.instrument].append(obligation)
    trail = sorted(by_instrument.items(), key=lambda item: item[0].chronological_key)
    # The trail starts where the norm was stated in these terms; older texts with a like
    # commitment are its precursors, shown apart.
    precursors = []
    if norm.origin_id:
        origin = [item for item in trail if item[0].pk == norm.origin_id]
        start = norm.origin.chronological_key
        precursors = [
            i for i in trail if i[0].pk != norm.origin_id and i[0].chronological_key < start
        ]
        trail = origin + [i for i in trail if i not in origin and i not in precursors]
    measures = norm.response_measures.prefetch_related(legal_basis_prefetch()).order_by(
        "escalation_level", "name"
    )
    breaches = norm.alleged_breaches.select_related("incident").order_by("-incident__started_on")
    return render(
        request,
        "obligations/norm_detail.html",
        {
            "norm": norm,
            "trail": trail,
            "precursors": precursors,
            "measures": measures,
            "breaches": breaches,
            "citation": cite(norm),
        },
    )


class ObligationListView(FilterView):
    filterset_class = ObligationFilter
    cache_kinds = frozenset(
        {
            "instruments.instrument",
            "instruments.membership",
            "instruments.participation",
            "instruments.provision",
            "instruments.state",
            "obligations.obligation",
            "obligations.topic",
        }
    )
    paginate_by = 30
    template_name = "obligations/obligation_list.html"

    def get_queryset(self):
        return Obligation.objects.select_related("instrument", "provision").order_by(
            FORCE_ORDER, "instrument__title", "provision__order", "slug"
        )

    def get_context_data(self, **kwargs):
        counts = Topic.objects.obligation_counts()
        topics = list(Topic.objects.order_by("name"))
        return super().get_context_data(
            topic_tree=topic_tree(topics, counts),
            selected_topic=self.request.GET.get("topic", ""),
            states=State.objects.order_by("name"),
            **kwargs,
        )


def topic_tree(topics, counts):
    """[(topic, depth, count)] in tree order, for an indented list."""
    children = defaultdict(list)
    for topic in topics:
        children[topic.parent_id].append(topic)
    rows = []

    def walk(parent_id, depth):
        for topic in children.get(parent_id, []):
            rows.append((topic, depth, counts.get(topic.pk, 0)))
            if depth < 10:
                walk(topic.pk, depth + 1)

    walk(None, 0)
    return rows


@shows(
    "instruments.instrument",
    "instruments.organization",
    "instruments.provision",
    "instruments.state",
    "obligations.norm",
    "obligations.obligation",
    "obligations.topic",
)
def obligation_detail(request, slug):
    obligation = get_object_or_404(
        Obligation.objects.select_related("instrument__organization", "provision").prefetch_related(
            "norms", "topics"
        ),
        slug=slug,
    )
    return render(
        request,
        "obligations/obligation_detail.html",
        {"obligation": obligation, "citation": cite(obligation)},
    )


@shows(
    "instruments.instrument",
    "instruments.provision",
    "obligations.norm",
    "obligations.responseaction",
    "obligations.responsemeasure",
)
def ladder(request):
    measures = ResponseMeasure.objects.prefetch_related(
        legal_basis_prefetch(), "responds_to"
    ).annotate(action_count=Count("actions"))
    by_level = defaultdict(list)
    for measure in measures:
        by_level[measure.escalation_level].append(measure)
    levels = [(level, by_level.get(level.value, [])) for level in reversed(EscalationLevel)]
    return render(
        request,
        "obligations/ladder.html",
        {"levels": levels, "categories": MeasureCategory.choices},
    )


@shows(
    "instruments.instrument",
    "instruments.organization",
    "instruments.provision",
    "instruments.state",
    "obligations.incident",
    "obligations.norm",
    "obligations.responseaction",
    "obligations.responsemeasure",
)
def measure_detail(request, slug):
    measure = get_object_or_404(
        ResponseMeasure.objects.prefetch_related(legal_basis_prefetch(), "responds_to"),
        slug=slug,
    )
    actions = (
        measure.actions.select_related("incident")
        .prefetch_related("by_states", "by_organizations")
        .order_by("-date")
    )
    return render(
        request,
        "obligations/measure_detail.html",
        {"measure": measure, "actions": actions, "citation": cite(measure)},
    )


@shows(
    "obligations.obligation",
    "obligations.topic",
)
def topic_list(request):
    counts = Topic.objects.obligation_counts()
    return render(
        request,
        "obligations/topic_list.html",
        {"topic_tree": topic_tree(list(Topic.objects.order_by("name")), counts)},
    )


@shows(
    "obligations.incident",
    "instruments.instrument",
    "instruments.organization",
    "instruments.provision",
    "instruments.state",
    "obligations.norm",
    "obligations.obligation",
    "obligations.topic",
)
def topic_detail(request, slug):
    topic = get_object_or_404(Topic.objects.select_related("parent__parent"), slug=slug)
    counts = Topic.objects.obligation_counts()
    children = topic.children.order_by("name")
    obligations = (
        Obligation.objects.for_topic(topic)
        .select_related("instrument", "provision")
        .order_by(FORCE_ORDER, "instrument__title", "provision__order", "slug")
    )
    page = Paginator(obligations, 40).get_page(request.GET.get("page"))
    groups = defaultdict(list)
    for obligation in page.object_list:
        groups[obligation.instrument.get_legal_force_display()].append(obligation)
    return render(
        request,
        "obligations/topic_detail.html",
        {
            "topic": topic,
            "children": [(child, counts.get(child.pk, 0)) for child in children],
            "norms": Norm.objects.for_topic(topic).order_by("code", "title"),
            "obligation_groups": list(groups.items()),
            "page_obj": page,
            "obligation_total": counts.get(topic.pk, 0),
            "instruments": Instrument.objects.for_topic(topic)
            .select_related("organization")
            .order_by("title"),
            "incidents": Incident.objects.for_topic(topic).order_by(
                F("started_on").desc(nulls_last=True), "name"
            ),
            "citation": cite(topic),
        },
    )


class IncidentListView(FilterView):
    filterset_class = IncidentFilter
    # The list shows incidents' records but not the instruments behind their responses.
    cache_kinds = INCIDENT_RECORD_KINDS - {"instruments.instrument", "instruments.provision"}
    paginate_by = 25
    template_name = "obligations/incident_list.html"

    def get_queryset(self):
        return Incident.objects.prefetch_related(
            "victims",
            Prefetch("attributions", Attribution.objects.prefetch_related("to_states")),
        ).order_by(F("started_on").desc(nulls_last=True), "name")

    def get_context_data(self, **kwargs):
        matching = Incident.objects.filter(pk__in=self.object_list.values("pk"))
        return super().get_context_data(charts=incident_charts(matching), **kwargs)


@shows(*INCIDENT_RECORD_KINDS, "instruments.membership")
def incident_detail(request, slug):
    incident = get_object_or_404(Incident.objects.with_record(), slug=slug)
    responders = {state.pk for r in incident.responses.all() for state in r.by_states.all()}
    memberships = list(Membership.objects.filter(state__in=responders))
    return render(
        request,
        "obligations/incident_detail.html",
        {
            "incident": incident,
            "timeline": incident.timeline(),
            "checks": incident.threshold_checks(memberships),
            "levels": EscalationLevel.choices,
            "citation": cite(incident),
        },
    )


@shows(
    "instruments.instrument",
    "instruments.organization",
    "instruments.provision",
    "instruments.state",
    "obligations.legalquestion",
    "obligations.stance",
)
def positions(request):
    """States × legal questions: each cell the latest stance of the state's positions, linked
    to the paragraph that says it."""
    region = request.GET.get("region", "")
    if region and region not in regions():
        return render(
            request,
            "obligations/positions.html",
            {"errors": [f'Unknown region "{region[:60]}".'], "regions": regions()},
            status=400,
        )
    questions = list(LegalQuestion.objects.all())
    stances = Stance.objects.select_related(
        "position__author_state", "position__author_organization", "provision", "question"
    ).order_by(F("position__adopted_on").asc(nulls_first=True))
    if region:
        stances = stances.filter(position__author_state__region=region)
    latest = {}
    for stance in stances:  # later positions replace earlier ones
        latest[(stance.position.author, stance.question_id)] = stance
    authors = sorted({author for author, _ in latest}, key=lambda a: a.name)
    rows = [(author, [latest.get((author, q.pk)) for q in questions]) for author in authors]
    return render(
        request,
        "obligations/positions.html",
        {
            "questions": questions,
            "rows": rows,
            "region": region,
            "regions": regions(),
            "stance_count": len(latest),
        },
    )


@shows(
    "instruments.instrument",
    "instruments.organization",
    "instruments.provision",
    "instruments.state",
    "obligations.legalquestion",
    "obligations.stance",
)
def question_detail(request, slug):
    """What every state said on one legal question, in date order."""
    question = get_object_or_404(LegalQuestion, slug=slug)
    stances = question.stances.select_related(
        "position__author_state", "position__author_organization", "provision"
    ).order_by(F("position__adopted_on").asc(nulls_last=True), "position__title")
    counts = Counter(s.get_stance_display() for s in stances)
    return render(
        request,
        "obligations/question_detail.html",
        {
            "question": question,
            "stances": stances,
            "counts": sorted(counts.items()),
            "citation": cite(question),
        },
    )


MODALITY_MARKS = {"must": "●", "must_not": "⊘", "should": "○", "should_not": "◌", "may": "◇"}


@shows(
    "instruments.instrument",
    "obligations.norm",
    "obligations.obligation",
    "obligations.topic",
)
def matrix(request):
    topic_slug = request.GET.get("topic", "")
    force = request.GET.get("legal_force", "")
    topics = list(Topic.objects.order_by("name"))
    topic = next((t for t in topics if t.slug == topic_slug), None)
    errors = []
    if topic_slug and topic is None:
        errors.append(f'Unknown topic "{topic_slug}".')
    if force and force not in LegalForce.values:
        errors.append(f'Unknown legal force "{force}".')
    if errors:
        return render(
            request,
            "obligations/matrix.html",
            {"errors": errors, "topics": topics, "forces": LegalForce.choices},
            status=400,
        )

    norms = Norm.objects.order_by("code", "title")
    if topic:
        norms = norms.for_topic(topic)
    norms = list(norms)
    links = Obligation.norms.through.objects.filter(norm__in=norms).values(
        "norm_id",
        instrument_id=F("obligation__instrument_id"),
        modality=F("obligation__modality"),
        obligation_slug=F("obligation__slug"),
    )
    if force:
        links = links.filter(obligation__instrument__legal_force=force)
    cells = defaultdict(list)
    for link in links:
        cells[(link["norm_id"], link["instrument_id"])].append(link)
    instrument_ids = {instrument_id for _, instrument_id in cells}
    instruments = sorted(
        Instrument.objects.filter(pk__in=instrument_ids), key=lambda i: i.chronological_key
    )
    rows = []
    for norm in norms:
        row = []
        for instrument in instruments:
            found = cells.get((norm.pk, instrument.pk), [])
            modalities = sorted({f["modality"] for f in found}, key=list(MODALITY_MARKS).index)
            row.append(
                {
                    "instrument": instrument,
                    "links": found,
                    "modalities": modalities,
                    "marks": "".join(MODALITY_MARKS[m] for m in modalities),
                }
            )
        rows.append((norm, row))
    return render(
        request,
        "obligations/matrix.html",
        {
            "rows": rows,
            "instruments": instruments,
            "topics": topics,
            "topic": topic,
            "forces": LegalForce.choices,
            "force": force,
            "marks": [(Modality(value).label, mark) for value, mark in MODALITY_MARKS.items()],
        },
    )
