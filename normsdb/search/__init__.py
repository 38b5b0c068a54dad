"""One search over every record: instruments, provisions, norms, obligations, response
measures, incidents, topics, states and legal questions.

A search, top to bottom:
1. a citation the resolver understands ("ETS No. 185, Art. 29") puts its record first
   (resolver.py);
2. the words become a query of the documents' own lexemes (query.py);
3. the backend matches, ranks and counts every match, with exact facet counts: Tantivy
   (engine.py, the default) or PostgreSQL (postgres.py), chosen by SEARCH_BACKEND; both
   read the same search documents (documents.py) and rank by the same rules (ranking.py);
4. nothing found: a word no document holds is respelt to a close known word
   (respelling.py); few found for several words: the records holding some of them follow
   those holding all; a single word still finding nothing is looked for as the start of a
   word in headings and names ("budap");
5. the page's hits get their highlighted passages (snippets.py).

`reindex()` brings the documents and the index in line with the records after a bulk change
(only what changed is rewritten); single edits reach both when their transaction commits
(signals.py).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from instruments.models import InstrumentKind, LegalForce
from normsdb.models import SearchDocument
from obligations.models import DutyBearer, Modality, Topic

from . import documents, engine, postgres, query, resolver, respelling, snippets
from .documents import TYPES
from .filters import SORTS, Filters, SearchError

__all__ = ["TYPES", "SORTS", "Filters", "SearchError", "SearchResult", "search", "reindex"]
FEW_RESULTS = 3
FACETS = ["type", "legal_force", "kind", "modality", "duty_bearer", "topic"]


@dataclass
class SearchResult:
    query: str
    hits: list = field(default_factory=list)
    total: int = 0
    facets: dict = field(default_factory=dict)
    searched_instead: str = ""
    message: str = ""
    searched: bool = False
    citation: object = None  # the resolver's Resolution, when the query is a citation


def settings_backend_is_tantivy():
    return settings.SEARCH_BACKEND == "tantivy"


def backend():
    return engine if settings_backend_is_tantivy() else postgres


def search(text, filters=None, *, page=1, page_size=20):
    """Rank every record against the words typed (filters checked by Filters.from_params)."""
    filters = filters or Filters()
    cleaned = query.clean(text)
    result = SearchResult(query=cleaned, facets=label_facets({}))
    notes = []
    if len(" ".join((text or "").split())) > query.MAX_QUERY_LENGTH:
        notes.append(f"Your query was shortened to its first {query.MAX_QUERY_LENGTH} characters.")
    if not cleaned:
        result.message = "Type a few words to search."
        return result
    ensure_documents()

    pinned = []
    if resolver.looks_like_citation(cleaned):
        citation = resolver.resolve(cleaned)
        if citation.records():
            result.citation = citation
            pinned = document_ids(citation.records())
    words = query.parse(cleaned)
    if not words and not pinned:
        if query.has_words(cleaned):
            notes.append(
                "Your query holds only very common words (such as “the” or “of”), which are "
                "not indexed. Add a more specific word."
            )
        else:
            notes.append("Your query holds no words to search for. Type a few words.")
        result.message = " ".join(notes)
        return result

    offset = (max(page, 1) - 1) * page_size
    found = run(words, filters, offset, page_size, pinned)
    if not found[1] and not pinned:
        fixed = respelling.respell(cleaned, words)
        respelt = query.parse(fixed) if fixed else None
        if respelt:
            found_instead = run(respelt, filters, offset, page_size)
            if found_instead[1]:
                words, found, result.searched_instead = respelt, found_instead, fixed
    if found[1] < FEW_RESULTS:
        words, found = widen(words, found, filters, offset, page_size, pinned, notes)
    if not found[1] and (prefix := query.prefix_query(cleaned)) is not None:
        # A single word that is the start of a heading's or name's word ("budap").
        words, found = prefix, run(prefix, filters, offset, page_size)

    page_rows, result.total, counts = found
    result.searched = True
    result.facets = label_facets(counts)
    result.hits = snippets.hits(page_rows, words)
    if not result.total:
        notes.append(
            "Nothing matches these words. Try fewer or more general words, or browse the topics."
        )
    elif offset and not page_rows:
        notes.append("This page is past the last page of results.")
    result.message = " ".join(notes)
    return result


def widen(words, found, filters, offset, limit, pinned, notes):
    """Few records hold all of several words: those holding some of them follow."""
    if len(words.groups) != 1 or len([c for c in words.clauses if not c.negated]) < 2:
        return words, found
    loose = query.Query(text=words.text, groups=[[c] for c in words.clauses if not c.negated])
    strict = [doc_id for doc_id, _score in run(words, filters, 0, FEW_RESULTS, pinned)[0]]
    wider = run(loose, filters, offset, limit, [*pinned, *strict])
    if wider[1] <= found[1]:
        return words, found
    notes.append("Few records hold all of your words; these hold some of them.")
    return loose, wider


def run(words, filters, offset, limit, pinned=()):
    return backend().search(words, filters, offset=offset, limit=limit, pinned=list(pinned))


def document_ids(records):
    """The search documents of resolved records, in the resolver's order."""
    keys = [(documents.type_of(record), str(record.pk)) for record in records]
    found = SearchDocument.objects.filter(
        type__in={kind for kind, _ in keys}, record_id__in=[pk for _, pk in keys]
    ).values_list("type", "record_id", "id")
    ids = {(kind, pk): doc_id for kind, pk, doc_id in found}
    return [ids[k] for k in keys if k in ids]


def label_facets(counts):
    labels = {
        "type": TYPES,
        "legal_force": dict(LegalForce.choices),
        "kind": dict(InstrumentKind.choices),
        "modality": dict(Modality.choices),
        "duty_bearer": dict(DutyBearer.choices),
    }
    facets = {name: [] for name in FACETS}
    roots = counts.get("root_topics") or {}
    if roots:
        labels["topic"] = dict(Topic.objects.roots().values_list("slug", "name"))
    for name in FACETS:
        values = roots if name == "topic" else counts.get(name) or {}
        facets[name] = sorted(
            (
                {"value": value, "label": labels[name].get(value, value), "count": count}
                for value, count in values.items()
            ),
            key=lambda v: (-v["count"], v["label"]),
        )
    return facets


_documents_checked = set()


def ensure_documents():
    """A fresh database (make run on a new clone) gets its documents on the first search."""
    name = connection.settings_dict["NAME"]
    if name in _documents_checked:
        return
    if not SearchDocument.objects.exists() and Topic.objects.exists():
        reindex()
    _documents_checked.add(name)


def reindex(kinds=None, *, fresh=False):
    """Bring the search documents of these record types (None: all) and the configured
    backend's index in line with the records, after a committed bulk change (the dataset
    import): only documents that changed are rewritten. `fresh` builds them all again from
    nothing (manage.py rebuild_search_index). Single edits are taken care of on commit.
    Returns the number of documents written."""
    from . import signals

    kinds = list(TYPES) if kinds is None else list(kinds)
    unknown = set(kinds) - set(TYPES)
    if unknown:
        raise ValueError(f"unknown record types: {', '.join(sorted(unknown))}")
    everything = set(kinds) == set(TYPES)
    with transaction.atomic():
        if fresh:
            documents.clear(kinds)
        removed, added = documents.write(dict.fromkeys(kinds))
        remaining = SearchDocument.objects.count()
    if settings_backend_is_tantivy():
        # Both make an index of the same documents; past half of them, building afresh is
        # cheaper.
        if (fresh and everything) or len(removed) + len(added) > remaining / 2:
            engine.rebuild()
        else:
            engine.update(removed, added)
    if everything:
        signals.pending.clear()
        _documents_checked.add(connection.settings_dict["NAME"])
    return len(added)
