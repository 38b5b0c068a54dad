"""The Tantivy backend: an embedded index of the search documents, in a folder per database
under SEARCH_INDEX_DIR (by default .normsdb/search/, git-ignored).

The index holds the lexemes PostgreSQL made of each document (SearchDocument.vector) at
their positions, as pre-tokenised text: both backends match exactly the same records, and
the benchmark checks the count against SQL (tests/bench/search.py). Tantivy adds what
PostgreSQL lacks at a million obligations: BM25 top-k ranking over every match, exact counts
and facet counts from column-stored fields, in milliseconds.

Fields: `text` (every lexeme), `heading` (weight A and B) and `name` (weight A) for the
ranking bonus, the filter and facet values as raw terms, `topic_ids` (each tag with its
ancestors, so that a topic filter is one term rather than a union of its subtree's) and
`instrument_id` for the topic and state filters, `date` for sort=date and `weight` for the
prior.

Writers serialise on an inter-process lock in the folder (several workers share it);
Tantivy's own lock refuses a second writer anyway. Readers reload after their own commits
and follow other processes' commits through Tantivy's watch on meta.json.
"""

import json
import shutil
from pathlib import Path

import fasteners
import tantivy
from django.conf import settings
from django.db import connection

from normsdb.models import SearchDocument
from obligations.models import Topic

from . import ranking
from .documents import TYPES
from .query import LEXEME

SCHEMA_VERSION = "2"
FACETS = ["type", "legal_force", "kind", "modality", "duty_bearer", "root_topics"]
HEAP = 100_000_000  # the writer's memory: with the rest, an import stays under 500 MB
Must, Should, MustNot = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
Q = tantivy.Query


def build_schema():
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in ("text", "heading", "name"):
        builder.add_text_field(name, tokenizer_name="raw")
    for name in FACETS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    builder.add_unsigned_field("topic_ids", indexed=True)
    builder.add_unsigned_field("instrument_id", indexed=True)
    builder.add_integer_field("date", fast=True)
    builder.add_float_field("weight", fast=True)
    return builder.build()


SCHEMA = build_schema()
_open = {}


def folder():
    return Path(settings.SEARCH_INDEX_DIR) / connection.settings_dict["NAME"]


def index():
    """This database's index, opened once per process; built when missing."""
    path = folder()
    if path not in _open:
        if current(path / "version"):
            _open[path] = tantivy.Index(SCHEMA, str(path))
        else:  # missing, or of an older schema
            rebuild(if_missing=True)
    return _open[path]


def lock():
    path = folder()
    path.mkdir(parents=True, exist_ok=True)
    return fasteners.InterProcessLock(path / "writer.lock")


def tokens(vector):
    """A tsvector's text as three pre-tokenised texts, read in one pass: every lexeme, those
    of weights A and B (heading and name), those of weight A (name), each at its position."""
    every, heading, name = [], [], []
    for lexeme, where in LEXEME.findall(vector or ""):
        lexeme = lexeme.replace("''", "'")
        for position in where.split(","):
            weight = position[-1]
            token = (int(position.rstrip("ABCD")), lexeme)
            every.append(token)
            if weight in "AB":
                heading.append(token)
                if weight == "A":
                    name.append(token)
    return [pre_tokenized(found) for found in (every, heading, name)]


def pre_tokenized(found):
    found.sort()
    return tantivy.PreTokenizedString("", [tantivy.Token(x, p, 0, 0) for p, x in found])


def lineages():
    """{topic id: the topic and its ancestors}; topics are few and shallow."""
    parents = dict(Topic.objects.values_list("id", "parent_id"))
    found = {}
    for topic in parents:
        chain, node = [], topic
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        found[topic] = chain
    return found


def document(row, lineage):
    doc_id, kind, vector, legal_force, kind_of, modality, bearer, instrument, topics, roots = row[
        :10
    ]
    date, prior = row[10:]
    doc = tantivy.Document()
    doc.add_unsigned("id", doc_id)
    text, heading, name = tokens(vector)
    doc.add_pre_tokenized_text("text", text)
    doc.add_pre_tokenized_text("heading", heading)
    doc.add_pre_tokenized_text("name", name)
    for field, value in [
        ("type", kind),
        ("legal_force", legal_force),
        ("kind", kind_of),
        ("modality", modality),
        ("duty_bearer", bearer),
    ]:
        if value:
            doc.add_text(field, value)
    for root in roots:
        doc.add_text("root_topics", root)
    for topic in {above for tag in topics for above in lineage.get(tag, [tag])}:
        doc.add_unsigned("topic_ids", topic)
    if instrument is not None:
        doc.add_unsigned("instrument_id", instrument)
    doc.add_integer("date", date.toordinal() if date else 0)
    doc.add_float("weight", ranking.tantivy_weight(prior))
    return doc


COLUMNS = [
    "id",
    "type",
    "vector",
    "legal_force",
    "kind",
    "modality",
    "duty_bearer",
    "instrument_id",
    "topic_ids",
    "root_topics",
    "date",
    "prior",
]


def add(writer, lineage, ids=None):
    documents = SearchDocument.objects.order_by()
    if ids is not None:
        documents = documents.filter(id__in=list(ids))
    for row in documents.values_list(*COLUMNS).iterator(chunk_size=5000):
        writer.add_document(document(row, lineage))


def built_with(lineage):
    """Whether the index holds these topic ancestors. The documents keep only their own tags,
    so a topic that moved changes what the index derived from them, not the documents."""
    try:
        stored = json.loads((folder() / "lineage.json").read_text())
    except (FileNotFoundError, ValueError):
        return False
    return stored == lineage_record(lineage)


def lineage_record(lineage):
    return sorted([topic, chain] for topic, chain in lineage.items())


def current(version):
    return version.exists() and version.read_text().strip() == SCHEMA_VERSION


def rebuild(*, if_missing=False):
    """Index every search document afresh (a new folder when the schema changed). With
    `if_missing`, a process that waited for another one building the index uses its work."""
    path = folder()
    with lock():
        version = path / "version"
        if if_missing and current(version):
            _open[path] = tantivy.Index(SCHEMA, str(path))
            return
        if not current(version):
            _open.pop(path, None)
            for child in path.iterdir():
                if child.name != "writer.lock":
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
        engine = _open.get(path) or tantivy.Index(SCHEMA, str(path))
        writer = engine.writer(heap_size=HEAP, num_threads=1)
        writer.delete_all_documents()
        lineage = lineages()
        add(writer, lineage)
        commit(writer)
        (path / "lineage.json").write_text(json.dumps(lineage_record(lineage)))
        version.write_text(SCHEMA_VERSION)
        engine.reload()
        _open[path] = engine


def update(removed, added):
    """Take the changed documents: removed and added SearchDocument ids."""
    lineage = lineages()
    if not built_with(lineage):  # missing, or a topic moved: every document's ancestors afresh
        rebuild()
        return
    if not removed and not added:
        return
    engine = index()
    with lock():
        writer = engine.writer(heap_size=15_000_000, num_threads=1)
        # The added ids too: an index built meanwhile (a missing one is built on first use,
        # from documents that already hold them) must not get them twice. By query:
        # delete_documents_by_term takes a Python int as i64, which matches no u64 id.
        writer.delete_documents_by_query(Q.term_set_query(SCHEMA, "id", [*removed, *added]))
        add(writer, lineage, added)
        commit(writer)
    engine.reload()


def commit(writer):
    writer.commit()
    writer.wait_merging_threads()  # ends the writer: its lock is free for the next one


def clause_query(clause):
    if clause.exact:
        return Q.boolean_query([(Should, Q.term_query(SCHEMA, "text", f)) for f in clause.exact])
    if len(clause.terms) == 1:
        return Q.term_query(SCHEMA, "text", clause.terms[0][1])
    return Q.phrase_query(SCHEMA, "text", list(clause.terms))


def group_query(group):
    parts = [(MustNot if c.negated else Must, clause_query(c)) for c in group]
    if all(clause.negated for clause in group):
        parts.append((Must, Q.all_query()))
    return Q.boolean_query(parts)


def match_query(query):
    """The documents the query matches, by the same rules as its tsquery."""
    if query.prefix:
        return Q.fuzzy_term_query(SCHEMA, "heading", query.prefix, distance=0, prefix=True)
    if len(query.groups) == 1:
        return group_query(query.groups[0])
    return Q.boolean_query([(Should, group_query(group)) for group in query.groups])


def bonus(query, field, total):
    """`total` shared among the query's words that the field holds: the share of the
    words in the heading (or name), whatever its length."""
    lexemes = query.positive_lexemes()
    return [
        (Should, Q.const_score_query(Q.term_query(SCHEMA, field, lexeme), total / len(lexemes)))
        for lexeme in lexemes
    ]


def named(query):
    """BM25 over the name for the query's words: the shorter the name holding them, the more
    the query is that name ("budapest": the Budapest Convention, not its protocols)."""
    lexemes = query.positive_lexemes()
    if not lexemes:
        return []
    words = Q.boolean_query([(Should, Q.term_query(SCHEMA, "name", x)) for x in lexemes])
    return [(Should, Q.boost_query(words, ranking.NAME_BOOST))]


def filter_queries(filters):
    """Must-clauses that score nothing; None when a filter leaves nothing to match."""
    kinds = filters.types()
    if not kinds or (filters.state and not filters.instrument_ids):
        return None
    # Every type allowed: no clause (a union of every type's postings costs more than the
    # rest of a search).
    clauses = [] if len(kinds) == len(TYPES) else [Q.term_set_query(SCHEMA, "type", kinds)]
    for name in ("legal_force", "kind", "modality", "duty_bearer"):
        if getattr(filters, name):
            clauses.append(Q.term_query(SCHEMA, name, getattr(filters, name)))
    if filters.topic:
        clauses.append(Q.term_query(SCHEMA, "topic_ids", filters.topic_id))
    if filters.state:
        clauses.append(Q.term_set_query(SCHEMA, "instrument_id", filters.instrument_ids))
    return [(Must, Q.const_score_query(clause, 0.0)) for clause in clauses]


def search(query, filters, *, offset, limit, pinned=()):
    """(page as [(doc id, score)], total, {facet: {value: count}}) for every match."""
    restrict = filter_queries(filters)
    if restrict is None:
        return [], 0, {}
    match = match_query(query)
    if pinned:
        citation = Q.const_score_query(Q.term_set_query(SCHEMA, "id", list(pinned)), ranking.PINNED)
        match = Q.boolean_query([(Should, match), (Should, citation)])
    matching = Q.boolean_query([(Must, match), *restrict])
    full = Q.boolean_query(
        [
            (Must, match),
            *bonus(query, "heading", ranking.HEADING_BOOST),
            *named(query),
            *restrict,
        ]
    )
    searcher = index().searcher()
    # The count comes from the facets (every document has one type), so the ranking pass
    # needs to collect only the page.
    counts = facets(searcher, matching)
    total = sum(counts["type"].values())
    if not total:
        return [], 0, {}
    if filters.sort == "date":
        found = searcher.search(
            full, limit, count=False, offset=offset, order_by_field="date", order=tantivy.Order.Desc
        )
    else:
        found = searcher.search(full, limit, count=False, offset=offset, weight_by_field="weight")
    ids = searcher.fast_field_values("id", [address for _score, address in found.hits])
    page = [(doc_id, score) for doc_id, (score, _a) in zip(ids, found.hits, strict=True)]
    return page, total, counts


def facets(searcher, matching):
    """Exact counts over the same documents, without the scoring clauses (aggregations do not
    score); every facet has fewer values than the bucket size."""
    spec = {name: {"terms": {"field": name, "size": 1000}} for name in FACETS}
    result = searcher.aggregate(matching, spec)
    return {
        name: {bucket["key"]: bucket["doc_count"] for bucket in result[name]["buckets"]}
        for name in FACETS
    }
