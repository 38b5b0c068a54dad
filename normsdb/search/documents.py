"""The search documents: one SearchDocument row per searchable record, built from the models
(their QuerySets, labels and `get_absolute_url`), and the lexicon respelling draws on.

A document has four weighted texts — name (A: short title, code, alias), heading (B: title,
label and heading), body (C: summary, statement), extra (D: symbol, organisation, terms of
a deadline) — which the database analyses into `vector` (migration 0008), and the values the
filters and facets read: legal force and kind of the instrument, modality and duty bearer of
an obligation, topics (a provision takes its instrument's), the top-level topics, a date for
`sort=date` and a prior that scales relevance (see normsdb.search.ranking).

Rows are written with COPY into a temporary table, compared there with the documents as
they are, and only the new and changed ones are analysed and inserted (one INSERT … SELECT):
after a bulk change the cost is that of what changed. The lexicon is kept exact as documents
come and go. The static SQL below names no value from users.
"""

from array import array
from itertools import islice

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef

from instruments.models import Instrument, Provision, State
from normsdb.models import SearchDocument
from obligations.models import Incident, LegalQuestion, Norm, Obligation, ResponseMeasure, Topic

from . import lexicon
from .ranking import prior

TYPES = {
    "instrument": "Instrument",
    "provision": "Provision",
    "norm": "Norm",
    "obligation": "Obligation",
    "response_measure": "Response measure",
    "incident": "Incident",
    "topic": "Topic",
    "state": "State",
    "legal_question": "Legal question",
}
COLUMNS = [
    "type",
    "record_id",
    "key",
    "title",
    "url",
    "name",
    "heading",
    "body",
    "extra",
    "legal_force",
    "kind",
    "modality",
    "duty_bearer",
    "instrument_id",
    "instrument_slug",
    "instrument_title",
    "topic_ids",
    "root_topics",
    "date",
    "prior",
]
CHUNK = 5000


def topic_ids(through, owner):
    """The ids of a record's topics, as an array column (one index lookup per record)."""
    return ArraySubquery(through.objects.filter(**{owner: OuterRef("pk")}).values("topic_id"))


def join(*parts):
    return " ".join(part for part in parts if part)


def instrument_fields(instrument):
    return {
        "legal_force": instrument.legal_force,
        "kind": instrument.kind,
        "instrument_id": instrument.pk,
        "instrument_slug": instrument.slug,
        "instrument_title": instrument.short_title or instrument.title,
        "date": instrument.first_date,
    }


def instruments(records):
    records = records.select_related("organization").annotate(
        tags=topic_ids(Instrument.topics.through, "instrument_id")
    )
    for instrument in records.iterator(chunk_size=CHUNK):
        organization = instrument.organization
        yield {
            "record_id": instrument.pk,
            "key": instrument.slug,
            "title": instrument.title,
            "url": instrument.get_absolute_url(),
            "name": instrument.short_title,
            "heading": instrument.title,
            "body": instrument.summary,
            "extra": join(
                instrument.symbol,
                organization and organization.name,
                organization and organization.acronym,
                instrument.region,
            ),
            "topic_ids": instrument.tags,
            **instrument_fields(instrument),
        }


def heading_of(provision):
    """The heading, unless it only repeats the label (positions label by subject)."""
    return "" if provision.heading == provision.label else provision.heading


def provision_title(instrument, provision):
    title = f"{instrument}, {provision.label}"
    return f"{title}: {heading_of(provision)}" if heading_of(provision) else title


def provisions(records):
    # A provision is tagged with its instrument's topics, as the topic filter treats it.
    instrument_topics = Instrument.topics.through.objects.filter(
        instrument_id=OuterRef("instrument_id")
    )
    records = records.select_related("instrument").annotate(
        tags=ArraySubquery(instrument_topics.values("topic_id"))
    )
    for provision in records.iterator(chunk_size=CHUNK):
        instrument = provision.instrument
        yield {
            "record_id": provision.pk,
            "key": str(provision.pk),
            "title": provision_title(instrument, provision),
            "url": provision.get_absolute_url(),
            "heading": join(provision.label, heading_of(provision)),
            "body": provision.summary,
            "topic_ids": provision.tags,
            **instrument_fields(instrument),
        }


def obligations(records):
    records = records.select_related("instrument", "provision").annotate(
        tags=topic_ids(Obligation.topics.through, "obligation_id")
    )
    for obligation in records.iterator(chunk_size=CHUNK):
        instrument, provision = obligation.instrument, obligation.provision
        yield {
            "record_id": obligation.pk,
            "key": obligation.slug,
            "title": provision_title(instrument, provision) if provision else str(instrument),
            "url": obligation.get_absolute_url(),
            "heading": join(provision and provision.label, provision and heading_of(provision)),
            "body": obligation.summary,
            "extra": join(obligation.deadline_trigger, obligation.verification),
            "modality": obligation.modality,
            "duty_bearer": obligation.duty_bearer,
            "topic_ids": obligation.tags,
            **instrument_fields(instrument),
        }


def norms(records):
    records = records.annotate(tags=topic_ids(Norm.topics.through, "norm_id"))
    for norm in records.iterator(chunk_size=CHUNK):
        yield {
            "record_id": norm.pk,
            "key": norm.slug,
            "title": norm.title,
            "url": norm.get_absolute_url(),
            "name": norm.code,
            "heading": norm.title,
            "body": norm.statement,
            "topic_ids": norm.tags,
        }


def response_measures(records):
    for measure in records.iterator(chunk_size=CHUNK):
        yield {
            "record_id": measure.pk,
            "key": measure.slug,
            "title": measure.name,
            "url": measure.get_absolute_url(),
            "heading": measure.name,
            "body": measure.description,
            "extra": join(measure.get_category_display(), measure.conditions),
        }


def incidents(records):
    records = records.annotate(tags=topic_ids(Incident.sectors.through, "incident_id"))
    for incident in records.iterator(chunk_size=CHUNK):
        yield {
            "record_id": incident.pk,
            "key": incident.slug,
            "title": incident.name,
            "url": incident.get_absolute_url(),
            "name": " ".join(incident.aliases),
            "heading": incident.name,
            "body": incident.summary,
            "extra": incident.get_operation_type_display(),
            "topic_ids": incident.tags,
            "date": incident.started_on,
        }


def topics(records):
    for topic in records.iterator(chunk_size=CHUNK):
        yield {
            "record_id": topic.pk,
            "key": topic.slug,
            "title": topic.name,
            "url": topic.get_absolute_url(),
            "heading": topic.name,
            "body": topic.description,
            "topic_ids": [topic.pk],
        }


def states(records):
    for state in records.iterator(chunk_size=CHUNK):
        yield {
            "record_id": state.pk,
            "key": state.code,
            "title": state.name,
            "url": state.get_absolute_url(),
            "name": join(state.name, state.code),
            "heading": state.name,
            "body": join(state.region, state.subregion),
        }


def legal_questions(records):
    for question in records.iterator(chunk_size=CHUNK):
        yield {
            "record_id": question.pk,
            "key": question.slug,
            "title": question.name,
            "url": question.get_absolute_url(),
            "heading": question.name,
            "body": question.description,
        }


# Each type: its records (the model's default manager) and how one becomes a document.
SOURCES = {
    "instrument": (Instrument, instruments),
    "provision": (Provision, provisions),
    "norm": (Norm, norms),
    "obligation": (Obligation, obligations),
    "response_measure": (ResponseMeasure, response_measures),
    "incident": (Incident, incidents),
    "topic": (Topic, topics),
    "state": (State, states),
    "legal_question": (LegalQuestion, legal_questions),
}


def topic_roots():
    """{topic id: slug of its top-level topic}; topics are few and shallow."""
    parents = dict(Topic.objects.values_list("id", "parent_id"))
    slugs = dict(Topic.objects.values_list("id", "slug"))
    roots = {}
    for topic in parents:
        node, seen = topic, set()
        while parents.get(node) is not None and node not in seen:
            seen.add(node)
            node = parents[node]
        roots[topic] = slugs[node]
    return roots


def batched(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def rows(kind, records, roots):
    """The COPY rows of one type's records."""
    _model, build = SOURCES[kind]
    for document in build(records):
        document = {"type": kind, **document}
        tags = sorted(set(document.get("topic_ids") or []))
        document["topic_ids"] = tags
        document["root_topics"] = sorted({roots[tag] for tag in tags if tag in roots})
        document["prior"] = prior(kind, document.get("legal_force", ""))
        yield [document.get(column, "") for column in COLUMNS]


STAGE = """
CREATE TEMPORARY TABLE search_stage (
    type varchar(20), record_id varchar(40), key varchar(200), title text, url varchar(500),
    name text, heading text, body text, extra text, legal_force varchar(20), kind varchar(20),
    modality varchar(12), duty_bearer varchar(30), instrument_id text, instrument_slug text,
    instrument_title text, topic_ids bigint[], root_topics varchar(80)[], date text, prior float
) ON COMMIT DROP
"""
COPY = f"COPY search_stage ({', '.join(COLUMNS)}) FROM STDIN"
MOVE = """
INSERT INTO normsdb_searchdocument (type, record_id, key, title, url, name, heading, body, extra,
    vector, legal_force, kind, modality, duty_bearer, instrument_id, instrument_slug,
    instrument_title, topic_ids, root_topics, date, prior)
SELECT type, record_id, key, title, url, name, heading, body, extra,
    normsdb_search_vector(name, heading, body, extra), legal_force, kind, modality,
    duty_bearer, NULLIF(instrument_id, '')::bigint, instrument_slug, instrument_title,
    topic_ids, root_topics, NULLIF(date, '')::date, prior
FROM search_stage s
WHERE NOT EXISTS (
    SELECT 1 FROM normsdb_searchdocument d WHERE d.type = s.type AND d.record_id = s.record_id
)
RETURNING id
"""


# The documents of one type (all of them, or those of some records) that are gone from the
# staged rows or differ from them in any column; a document holds nothing else, as `vector`
# follows from name, heading, body and extra.
STALE = """
SELECT d.id FROM normsdb_searchdocument d
WHERE d.type = %(kind)s AND (%(whole)s OR d.record_id = ANY(%(record_ids)s))
AND NOT EXISTS (
    SELECT 1 FROM search_stage s
    WHERE s.type = d.type AND s.record_id = d.record_id
    AND (s.key, s.title, s.url, s.name, s.heading, s.body, s.extra, s.legal_force, s.kind,
         s.modality, s.duty_bearer, NULLIF(s.instrument_id, '')::bigint, s.instrument_slug,
         s.instrument_title, s.topic_ids, s.root_topics, NULLIF(s.date, '')::date, s.prior)
        IS NOT DISTINCT FROM
        (d.key, d.title, d.url, d.name, d.heading, d.body, d.extra, d.legal_force, d.kind,
         d.modality, d.duty_bearer, d.instrument_id, d.instrument_slug, d.instrument_title,
         d.topic_ids, d.root_topics, d.date, d.prior)
)
"""


def write(changes):
    """Bring the documents of these records in line with them — {type: primary keys, or None
    for every record of the type}: documents of records gone or changed are removed, those of
    new or changed records added, the others left as they are. Returns (ids removed, ids
    added). Call inside a transaction."""
    roots = topic_roots()
    with connection.cursor() as cursor:
        cursor.execute(STAGE)
        for kind, pks in changes.items():
            records = SOURCES[kind][0].objects.all()
            if pks is not None:
                records = records.filter(pk__in=pks)
            # The records are read through a server-side cursor on this same connection,
            # which cannot serve it during a COPY: copy a chunk at a time.
            for chunk in batched(rows(kind, records, roots), CHUNK):
                with cursor.cursor.copy(COPY) as copy:
                    for row in chunk:
                        copy.write_row(row)
        cursor.execute("ANALYZE search_stage")
        removed = array("q")
        for kind, pks in changes.items():
            record_ids = [str(pk) for pk in pks or ()]
            cursor.execute(STALE, {"kind": kind, "whole": pks is None, "record_ids": record_ids})
            removed.extend(ids(cursor))
        drop(removed)
        first = not SearchDocument.objects.exists()
        cursor.execute(MOVE)
        added = ids(cursor)
        cursor.execute("DROP TABLE search_stage")
    lexicon.count(None if first else added)
    return removed, added


def ids(cursor):
    """The ids a statement returned, as a compact array: 8 bytes each, where a list of two
    million Python ints would hold about 100 MB more for the rest of a rebuild."""
    found = array("q")
    while batch := cursor.fetchmany(CHUNK * 10):
        found.extend(row[0] for row in batch)
    return found


def drop(ids):
    """Delete these documents, and their words from the lexicon's counts."""
    if not ids:
        return
    lexicon.uncount(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM normsdb_searchdocument WHERE id = ANY(%(ids)s)", {"ids": list(ids)}
        )


def clear(kinds):
    """Every document of these types, gone (and the lexicon with them when that is all)."""
    if set(kinds) == set(TYPES):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE normsdb_searchdocument, normsdb_searchword")
        return
    drop(list(SearchDocument.objects.filter(type__in=kinds).values_list("id", flat=True)))


def type_of(record):
    """The search type of a model instance."""
    for kind, (model, _build) in SOURCES.items():
        if isinstance(record, model):
            return kind
    raise TypeError(f"{type(record).__name__} is not searchable")
