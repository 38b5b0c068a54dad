import re
from collections import Counter, defaultdict

from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from normsdb.citations import cite, schema_org
from normsdb.pagecache import shows
from obligations.models import Attribution, Obligation, ResponseAction, Topic

from .filters import InstrumentFilter, StateFilter
from .models import Instrument, InstrumentRelation, LegalForce, Participation, State

INSTRUMENT_SORTS = {
    "title": ("title",),
    "-date": (F("sort_date").desc(nulls_last=True), "title"),
    "date": (F("sort_date").asc(nulls_last=True), "title"),
    "force": ("legal_force", "title"),
}

# The filters the HTML form shows, with their short labels (the API documents all of them).
HTML_FILTERS = {
    "kind": "Kind",
    "legal_force": "Legal force",
    "scope": "Scope",
    "status": "Status",
    "organization": "Organisation",
    "topic": "Topic",
    "region": "Region",
    "year_from": "From year",
    "year_to": "To year",
}

PARTICIPANT_SORTS = {
    "state": lambda p: p.state.name,
    "status": lambda p: (p.status, p.state.name),
    "signed": lambda p: (p.signed_on is None, p.signed_on or 0, p.state.name),
    "consented": lambda p: (p.consented_on is None, p.consented_on or 0, p.state.name),
}


class InstrumentListView(ListView):
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
        self.filterset = InstrumentFilter(
            self.request.GET or None,
            queryset=Instrument.objects.with_first_date().select_related("organization"),
        )
        self.sort = self.request.GET.get("sort", "title")
        if self.sort not in INSTRUMENT_SORTS:
            self.sort = "title"
        queryset = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        return queryset.order_by(*INSTRUMENT_SORTS[self.sort])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filterset=self.filterset, sort=self.sort, html_filters=HTML_FILTERS, **kwargs
        )


@shows(
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
        Instrument.objects.select_related("organization").prefetch_related("topics"), slug=slug
    )
    provisions = list(instrument.provisions.order_by("order", "label"))
    obligations = list(
        instrument.obligations.select_related("provision")
        .prefetch_related("norms")
        .order_by("provision__order", "slug")
    )
    participations = list(instrument.participations.select_related("state"))
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
            "participation_counts": sorted(
                Counter(p.get_status_display() for p in participations).items()
            ),
            "participant_sort": sort,
            "relations_out": [r for r in relations if r.from_instrument_id == instrument.pk],
            "relations_in": [r for r in relations if r.to_instrument_id == instrument.pk],
            "citation": cite(instrument),
            "jsonld": schema_org(instrument),
        },
    )


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


class StateListView(ListView):
    cache_kinds = frozenset(
        {
            "instruments.participation",
            "instruments.state",
        }
    )
    paginate_by = 100
    template_name = "instruments/state_list.html"

    def get_queryset(self):
        self.filterset = StateFilter(self.request.GET or None, queryset=State.objects.all())
        queryset = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        return queryset.annotate(
            party_count=Count("participations", filter=Q(participations__status="party")),
            participation_count=Count("participations"),
        ).order_by("name")

    def get_context_data(self, **kwargs):
        regions = State.objects.exclude(region="").values_list("region", flat=True).distinct()
        return super().get_context_data(filterset=self.filterset, regions=sorted(regions), **kwargs)


@shows(
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
def state_detail(request, code):
    state = get_object_or_404(State, code=code.upper())
    participations = sorted(
        Participation.objects.filter(state=state).select_related("instrument__organization"),
        key=lambda p: (
            p.instrument.legal_force != LegalForce.BINDING,
            p.status != Participation.Status.PARTY,
            p.instrument.title,
        ),
    )
    obligations = list(
        Obligation.objects.binding_on(state)
        .select_related("instrument", "provision")
        .prefetch_related("topics")
        .order_by("instrument__title", "provision__order", "slug")
    )
    topics = {t.pk: t for t in Topic.objects.all()}
    by_topic = defaultdict(list)
    for obligation in obligations:
        roots = {root_topic(t, topics) for t in obligation.topics.all()} or {None}
        for root in roots:
            by_topic[root].append(obligation)
    grouped = sorted(by_topic.items(), key=lambda item: (item[0] is None, str(item[0] or "")))
    return render(
        request,
        "instruments/state_detail.html",
        {
            "state": state,
            "binding": [p for p in participations if p.instrument.legal_force == "binding"],
            "other": [p for p in participations if p.instrument.legal_force != "binding"],
            "obligations_by_topic": grouped,
            "obligation_count": len(obligations),
            "as_victim": state.incidents_suffered.order_by("-started_on"),
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
    slugs = list(dict.fromkeys(s for s in request.GET.getlist("i") if s))
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
    unknown = [s for s in slugs if s not in found]
    instruments = [found[s] for s in slugs if s in found]
    context = {
        "instruments": instruments,
        "unknown": unknown,
        "message": message,
        "choices": Instrument.objects.order_by("title").only("slug", "title", "short_title"),
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
