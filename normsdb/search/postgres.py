"""The PostgreSQL backend: the search documents' table is the index (GIN on `vector`).

For several app servers sharing one database and no index folder of their own
(SEARCH_BACKEND=postgres). It matches exactly what the Tantivy backend matches — the same
lexemes, the same tsquery — and ranks by the same rules (normsdb.search.ranking) with
ts_rank_cd. Every match is ranked and counted, so a word in a hundred thousand records costs
what PostgreSQL needs to rank them all (see the README's scaling section).

Two statements: the page, and every facet count in one pass over the matches.
"""

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)

from instruments.models import InstrumentKind, LegalForce
from normsdb.models import SearchDocument
from obligations.models import DutyBearer, Modality, Topic

from . import ranking
from .documents import TYPES
from .query import quote

FACET_VALUES = {
    "type": list(TYPES),
    "legal_force": LegalForce.values,
    "kind": InstrumentKind.values,
    "modality": Modality.values,
    "duty_bearer": DutyBearer.values,
}


class TSQuery(Func):
    """A tsquery of lexemes the query module analysed, taken as it is (a cast of a value)."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()


class Matches(Func):
    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


class WeightFilter(Func):
    """The part of a vector of some weights: ts_filter(vector, '{a}')."""

    function = "ts_filter"
    output_field = SearchQueryField()

    def __init__(self, vector, weights):
        super().__init__(vector, Value("{" + ",".join(weights) + "}"))


def matching(query, filters, pinned=()):
    """The documents the query and filters match; None when a filter leaves none."""
    kinds = filters.types()
    if not kinds or (filters.state and not filters.instrument_ids):
        return None
    documents = SearchDocument.objects.filter(type__in=kinds)
    for name in ("legal_force", "kind", "modality", "duty_bearer"):
        if getattr(filters, name):
            documents = documents.filter(**{name: getattr(filters, name)})
    if filters.topic:
        documents = documents.filter(topic_ids__overlap=filters.topic_ids)
    if filters.state:
        documents = documents.filter(instrument_id__in=filters.instrument_ids)
    match = Q(Matches(F("vector"), TSQuery(Value(query.tsquery()))))
    if pinned:
        match |= Q(id__in=list(pinned))
    return documents.filter(match)


def holds(part, lexeme):
    return Case(When(Matches(part, TSQuery(Value(quote(lexeme)))), then=1.0), default=0.0)


def coverage(query, weights, total):
    """`total` shared among the query's words that the part of these weights holds (the
    share of the words in the heading), as the Tantivy backend scores it."""
    lexemes = query.positive_lexemes()
    if not lexemes:
        return Value(0.0)
    part = WeightFilter(F("vector"), weights)
    return sum((holds(part, lexeme) for lexeme in lexemes), Value(0.0)) * (total / len(lexemes))


def named(query):
    """The share of the name's words that the query holds: the more the query is the name
    ("budapest": the Budapest Convention, not its protocols), the more it adds."""
    name = WeightFilter(F("vector"), "a")
    found = sum((holds(name, lexeme) for lexeme in query.positive_lexemes()), Value(0.0))
    size = Func(Func(name, function="length"), Value(1), function="GREATEST")
    return ranking.NAME_SHARE * found / size


def relevance(query):
    """ts_rank_cd over all the text, plus the heading and name bonus, times the prior."""
    words = TSQuery(Value(query.tsquery()))
    dense = SearchRank(
        F("vector"), words, normalization=Value(ranking.NORMALIZATION), cover_density=True
    )
    plain = SearchRank(F("vector"), words, normalization=Value(ranking.NORMALIZATION))
    text = ranking.COVER_DENSITY * dense + (1 - ranking.COVER_DENSITY) * plain
    heading = coverage(query, "ab", ranking.HEADING_SHARE)
    name = named(query)
    return ExpressionWrapper((text + heading + name) * F("prior"), output_field=FloatField())


def search(query, filters, *, offset, limit, pinned=()):
    """(page as [(doc id, score)], total, {facet: {value: count}}) for every match."""
    documents = matching(query, filters, pinned)
    if documents is None:
        return [], 0, {}
    counts = facets(documents)
    total = sum(counts["type"].values())
    if not total:
        return [], 0, counts
    ranked = documents.annotate(score=relevance(query))
    if filters.sort == "date":
        order = [F("date").desc(nulls_last=True), "-score", "id"]
    else:
        order = ["-score", "id"]
    if pinned and filters.sort != "date":
        ranked = ranked.annotate(first=Case(When(id__in=pinned, then=Value(1)), default=Value(0)))
        order = ["-first", *order]
    page = ranked.order_by(*order).values_list("id", "score")[offset : offset + limit]
    page = [(doc_id, score + ranking.PINNED * (doc_id in pinned)) for doc_id, score in page]
    return page, total, counts


def facets(documents):
    """Every facet's counts in one statement: a filtered count per known value."""
    roots = list(Topic.objects.roots().values_list("slug", flat=True))
    keys = [(name, value) for name, values in FACET_VALUES.items() for value in values]
    keys += [("root_topics", slug) for slug in roots]
    counts = {}
    for number, (name, value) in enumerate(keys):
        condition = (
            Q(root_topics__contains=[value]) if name == "root_topics" else Q(**{name: value})
        )
        counts[f"facet_{number}"] = Count("id", filter=condition)
    result = {name: {} for name in [*FACET_VALUES, "root_topics"]}
    totals = documents.aggregate(**counts)
    for number, (name, value) in enumerate(keys):
        count = totals[f"facet_{number}"]
        if count:
            result[name][value] = count
    return result
