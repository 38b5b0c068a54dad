"""One search over instruments, provisions, norms, obligations, response measures, incidents
and topics.

PostgreSQL does the work: each table keeps a weighted `search_vector` (a generated column,
GIN-indexed; title A, summary B, other text C; topics use an expression index); the user's
words go through `websearch_to_tsquery` ("quoted phrases", -exclusion, or); matches are ranked
with `ts_rank_cd`; the page's snippets come from `ts_headline`. Words the lexicon
(`normsdb_search_word`, pg_trgm) does not know get the nearest known spelling, and titles are
also matched by trigram similarity, which serves misspelt titles and title prefixes.

A request runs at most five queries, whatever the page size:
1. the spelling check, which also checks that the topic and state filters exist;
2. the matches: the page's ranks, the facet counts and so the total, in one statement; run
   again with the nearest known spelling when the words find almost nothing, and once more
   with any of the words when no record holds them all;
3. the page's titles and highlighted snippets.

Ranking is capped for speed: each record type contributes at most MAX_MATCHES records, the
first the GIN index yields. A query that most records match (a very common word) then costs
no more than one matching a thousand, but its result is `truncated`: the ranking, the count
and the facets cover those records only, and the user is asked to add words or filters.
"""

import html
import re
from dataclasses import dataclass, field

from django.db import connection
from django.urls import reverse

from instruments.models import InstrumentKind, LegalForce
from obligations.models import DutyBearer, Modality

MAX_QUERY_LENGTH = 200
MAX_MATCHES = 200
FEW_RESULTS = 3
HEADLINE_START, HEADLINE_STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (
    f"StartSel={HEADLINE_START}, StopSel={HEADLINE_STOP}, MaxWords=28, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
TSQUERY = "websearch_to_tsquery('normsdb', %(query)s)"
# The query's words with `or` between them: the title score counts how many a title holds.
ANY_TSQUERY = f"replace(querytree({TSQUERY}), '&', '|')::tsquery"
# Relevance = how densely the text holds the words (ts_rank_cd, normalised by length and
# scaled to 0..1), plus half the share of them in the title (the A-weighted part; for an
# obligation, its provision's label and heading), so that a title match beats a passing
# mention even when the words are spread across it. Then two priors: the record type (a norm
# is the standard several instruments share, a provision usually repeats its obligations)
# and authority (a binding instrument's record before a voluntary one's, other things equal).
RANK = (
    "{boost} * {authority} * (ts_rank_cd({vector}, {query}, 1|32)"
    " + 0.5 * COALESCE(ts_rank({title_vector}, {any_query}, 0), 0))"
)
AUTHORITY = "CASE {instrument}.legal_force WHEN 'binding' THEN 1.2 ELSE 1 END"
# The same expression as the topic_search index (migration 0004): topics have no column.
TOPIC_VECTOR = (
    "(setweight(to_tsvector('normsdb'::regconfig, r.name), 'A')"
    " || setweight(to_tsvector('normsdb'::regconfig, r.description), 'B'))"
)

# Each type: its table and joins, its vector, the title and text shown, how filters reach it,
# and the column matched by trigram similarity (titles short enough for it to mean something).
TYPES = {
    "instrument": {
        "label": "Instrument",
        "from": "instruments_instrument r",
        "vector": "r.search_vector",
        "slug": "r.slug",
        "title": "r.title",
        "body": "r.summary",
        "instrument": "r",
        "topics": ("instruments_instrument_topics", "instrument_id", "r.id"),
        "trigram": "r.title",
    },
    "provision": {
        "label": "Provision",
        "boost": 0.8,
        "from": "instruments_provision r JOIN instruments_instrument i ON i.id = r.instrument_id",
        "vector": "r.search_vector",
        "slug": "r.id::text",
        "title": "COALESCE(NULLIF(i.short_title, ''), i.title) || ', ' || r.label"
        " || COALESCE(': ' || NULLIF(r.heading, ''), '')",
        "body": "COALESCE(NULLIF(r.summary, ''), r.heading)",
        "instrument": "i",
        "topics": ("instruments_instrument_topics", "instrument_id", "i.id"),
        "trigram": None,
    },
    "norm": {
        "label": "Norm",
        "boost": 1.5,
        "from": "obligations_norm r",
        "vector": "r.search_vector",
        "slug": "r.slug",
        "title": "r.title",
        "body": "r.statement",
        "instrument": None,
        "topics": ("obligations_norm_topics", "norm_id", "r.id"),
        "trigram": "r.title",
    },
    "obligation": {
        "label": "Obligation",
        "from": "obligations_obligation r JOIN instruments_instrument i ON i.id = r.instrument_id"
        " LEFT JOIN instruments_provision p ON p.id = r.provision_id",
        "vector": "r.search_vector",
        "slug": "r.slug",
        "title": "COALESCE(NULLIF(i.short_title, ''), i.title) || COALESCE(', ' || p.label, '')"
        " || COALESCE(': ' || NULLIF(p.heading, ''), '')",
        "body": "r.summary",
        "title_vector": "ts_filter(p.search_vector, '{a}')",
        "instrument": "i",
        "topics": ("obligations_obligation_topics", "obligation_id", "r.id"),
        "trigram": None,
    },
    "response_measure": {
        "label": "Response measure",
        "from": "obligations_responsemeasure r",
        "vector": "r.search_vector",
        "slug": "r.slug",
        "title": "r.name",
        "body": "r.description",
        "instrument": None,
        "topics": None,
        "trigram": "r.name",
    },
    "incident": {
        "label": "Incident",
        "from": "obligations_incident r",
        "vector": "r.search_vector",
        "slug": "r.slug",
        "title": "r.name",
        "body": "r.summary",
        "instrument": None,
        "topics": ("obligations_incident_sectors", "incident_id", "r.id"),
        "trigram": "r.name",
    },
    "topic": {
        "label": "Topic",
        "from": "obligations_topic r",
        "vector": TOPIC_VECTOR,
        "title_vector": "to_tsvector('normsdb'::regconfig, r.name)",
        "slug": "r.slug",
        "title": "r.name",
        "body": "r.description",
        "instrument": None,
        "topics": "self",
        "trigram": None,
    },
}
TYPE_CHOICES = [(key, spec["label"]) for key, spec in TYPES.items()]
FACET_FIELDS = ["type", "legal_force", "kind", "modality", "duty_bearer"]

TOPIC_SUBTREE = (
    "WITH RECURSIVE subtree(id) AS (SELECT id FROM obligations_topic WHERE slug = %(topic)s"
    " UNION SELECT c.id FROM obligations_topic c JOIN subtree s ON c.parent_id = s.id)"
    " SELECT id FROM subtree"
)
BINDING_ON_STATE = (
    "SELECT bi.id FROM instruments_instrument bi JOIN instruments_participation bp"
    " ON bp.instrument_id = bi.id WHERE bp.state_id = %(state)s AND bp.status = 'party'"
    " AND bi.legal_force = 'binding' AND bi.status = 'in_force'"
)


class SearchError(ValueError):
    """A filter value that does not exist: the caller answers 400 with `errors`."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Filters:
    type: str = ""
    topic: str = ""
    legal_force: str = ""
    kind: str = ""
    state: str = ""
    modality: str = ""
    duty_bearer: str = ""

    @classmethod
    def from_params(cls, params):
        """Read and check filter values; a malformed one raises SearchError naming the
        parameter. Whether the topic and state exist is checked by the search itself."""
        filters = cls(**{name: (params.get(name) or "").strip() for name in cls.names()})
        errors = {}
        choices = {
            "type": TYPES,
            "legal_force": LegalForce.values,
            "kind": InstrumentKind.values,
            "modality": Modality.values,
            "duty_bearer": DutyBearer.values,
        }
        for name, allowed in choices.items():
            value = getattr(filters, name)
            if value and value not in allowed:
                errors[name] = f'"{printable(value)}" is not one of: {", ".join(allowed)}.'
        if filters.topic and not re.fullmatch(r"[-\w]{1,100}", filters.topic, re.ASCII):
            errors["topic"] = f'"{printable(filters.topic)}" is not a topic slug; see /topics/.'
        if filters.state:
            filters.state = filters.state.upper()
            if not re.fullmatch(r"[A-Z]{2}", filters.state):
                errors["state"] = "Give a state as its two-letter ISO code, e.g. DE."
        if errors:
            raise SearchError(errors)
        return filters

    @staticmethod
    def names():
        return ["type", "topic", "legal_force", "kind", "state", "modality", "duty_bearer"]

    def active(self):
        return {name: getattr(self, name) for name in self.names() if getattr(self, name)}


def printable(value):
    """A user's value, safe to quote back in an error message."""
    return clean_query(value)[:40]


@dataclass
class Hit:
    type: str
    slug: str
    title: str
    snippet: str
    rank: float
    legal_force: str
    instrument_title: str
    instrument_slug: str
    modality: str

    @property
    def type_label(self):
        return TYPES[self.type]["label"]

    @property
    def legal_force_label(self):
        return LegalForce(self.legal_force).label if self.legal_force else ""

    @property
    def html_url(self):
        if self.type == "instrument":
            return reverse("instruments:detail", args=[self.slug])
        if self.type == "provision":
            return reverse("instruments:detail", args=[self.instrument_slug]) + "#provisions"
        if self.type == "norm":
            return reverse("obligations:norm", args=[self.slug])
        if self.type == "obligation":
            return reverse("obligations:obligation", args=[self.slug])
        if self.type == "response_measure":
            return reverse("obligations:measure", args=[self.slug])
        if self.type == "topic":
            return reverse("obligations:topic", args=[self.slug])
        return reverse("obligations:incident", args=[self.slug])

    @property
    def url(self):
        resource = {
            "instrument": "instruments",
            "provision": "provisions",
            "norm": "norms",
            "obligation": "obligations",
            "response_measure": "response-measures",
            "incident": "incidents",
            "topic": "topics",
        }[self.type]
        return f"/api/v1/{resource}/{self.slug}/"


@dataclass
class SearchResult:
    query: str
    hits: list = field(default_factory=list)
    total: int = 0
    truncated: bool = False
    facets: dict = field(default_factory=dict)
    suggestion: str = ""
    searched_instead: str = ""
    message: str = ""


@dataclass
class Matches:
    """One run of the match statement: the page as (type, id, rank) and the facets."""

    query: str
    page: list
    facets: dict

    @property
    def total(self):
        return sum(value["count"] for value in self.facets["type"])

    @property
    def truncated(self):
        return any(value["count"] >= MAX_MATCHES for value in self.facets["type"])


def clean_query(text):
    """Drop control characters (NUL breaks the driver), squeeze spaces, cap the length."""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def search(text, filters=None, *, page=1, page_size=20):
    """Rank every record against the words typed; raises SearchError for an unknown topic or
    state."""
    filters = filters or Filters()
    query = clean_query(text)
    result = SearchResult(query=query, facets=empty_facets())
    notes = []
    if len(" ".join((text or "").split())) > MAX_QUERY_LENGTH:
        notes.append(f"Your query was shortened to its first {MAX_QUERY_LENGTH} characters.")

    terms, suggestion = check(query, filters)
    if not query:
        result.message = "Type a few words to search."
        return result
    if terms == 0 and not suggestion:
        if re.search(r"\w", query):
            notes.append(
                "Your query holds only very common words (such as “the” or “of”), which are "
                "not indexed. Add a more specific word."
            )
        else:
            notes.append("Your query holds no words to search for. Type a few words.")
        result.message = " ".join(notes)
        return result

    offset = (max(page, 1) - 1) * page_size
    matches = fetch_matches(query, filters, offset, page_size)
    if matches.total < FEW_RESULTS:
        # Little found: try the nearest known spelling, and titles similar to the words typed
        # (misspelt titles, title prefixes such as "budap").
        wider = fetch_matches(suggestion or query, filters, offset, page_size, similar_to=query)
        if wider.total > matches.total:
            matches = wider
            result.searched_instead = suggestion
        else:
            result.suggestion = suggestion
    if matches.total == 0:
        loose = any_of_the_words(matches.query)
        if loose:
            matches = fetch_matches(loose, filters, offset, page_size)
            if matches.total:
                notes.append("No record holds all of your words; these hold some of them.")

    result.total, result.truncated, result.facets = matches.total, matches.truncated, matches.facets
    result.hits = fetch_hits(matches.query, matches.page)
    if result.truncated:
        notes.append(
            f"Very many records match: these are ranked among the first {MAX_MATCHES:,} of "
            "each kind. Add words or filters to narrow the search."
        )
    if matches.total and not result.hits:
        notes.append("This page is past the last page of results.")
    result.message = " ".join(notes)
    return result


def check(query, filters):
    """How many terms the query has after stop words, a respelling from the lexicon, and
    whether the topic and state filters exist; one statement.

    Each word not in the lexicon is replaced by the most similar known word (trigram
    similarity ≥ 0.4, the most frequent on a tie), as long as one exists.
    """
    if not query and not filters.topic and not filters.state:
        return 0, ""
    words = [w for w in re.findall(r"[^\W\d_]{3,}", query.lower()) if len(w) <= 40][:12]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT numnode({TSQUERY}),"
            " (SELECT json_object_agg(input, best) FROM ("
            "   SELECT DISTINCT ON (input) input, w.word AS best"
            "   FROM unnest(%(words)s::text[]) AS input"
            "   JOIN normsdb_search_word w ON w.word %% input"
            "   WHERE NOT EXISTS (SELECT 1 FROM normsdb_search_word k WHERE k.word = input)"
            "   ORDER BY input, similarity(w.word, input) DESC, w.documents DESC"
            " ) AS fixes),"
            " EXISTS (SELECT 1 FROM obligations_topic WHERE slug = %(topic)s),"
            " EXISTS (SELECT 1 FROM instruments_state WHERE code = %(state)s)",
            {"query": query, "words": words, "topic": filters.topic, "state": filters.state},
        )
        terms, fixes, topic_found, state_found = cursor.fetchone()
    errors = {}
    if filters.topic and not topic_found:
        errors["topic"] = f'No topic "{filters.topic[:60]}"; see /topics/ for the list.'
    if filters.state and not state_found:
        errors["state"] = f'No state with code "{filters.state}".'
    if errors:
        raise SearchError(errors)
    if not fixes:
        return terms, ""
    respelled = re.sub(r"[^\W\d_]+", lambda m: fixes.get(m.group(0).lower(), m.group(0)), query)
    return terms, respelled


def any_of_the_words(query):
    """The words joined by `or`, when the query has several and no search operators."""
    if re.search(r'["\-]|\bor\b', query, re.IGNORECASE):
        return ""
    words = re.findall(r"\w+", query)
    return " or ".join(words) if len(words) > 1 else ""


def type_selects(filters, *, similar_titles):
    """One SELECT per record type the filters allow: id, rank and the facet columns, for at
    most MAX_MATCHES records each. With `similar_titles`, titles similar to the words typed
    match too (trigram word similarity)."""
    selects = []
    for key, spec in TYPES.items():
        if filters.type and filters.type != key:
            continue
        instrument = spec["instrument"]
        if (filters.legal_force or filters.kind or filters.state) and not instrument:
            continue
        if (filters.modality or filters.duty_bearer) and key != "obligation":
            continue
        if filters.topic and not spec["topics"]:
            continue
        conditions = []
        if filters.legal_force:
            conditions.append(f"{instrument}.legal_force = %(legal_force)s")
        if filters.kind:
            conditions.append(f"{instrument}.kind = %(kind)s")
        if filters.state:
            conditions.append(f"{instrument}.id IN ({BINDING_ON_STATE})")
        if filters.modality:
            conditions.append("r.modality = %(modality)s")
        if filters.duty_bearer:
            conditions.append("r.duty_bearer = %(duty_bearer)s")
        if filters.topic and spec["topics"] == "self":
            conditions.append(f"r.id IN ({TOPIC_SUBTREE})")
        elif filters.topic:
            table, column, owner = spec["topics"]
            conditions.append(
                f"EXISTS (SELECT 1 FROM {table} tt WHERE tt.{column} = {owner}"
                f" AND tt.topic_id IN ({TOPIC_SUBTREE}))"
            )
        match = f"{spec['vector']} @@ {TSQUERY}"
        rank = RANK.format(
            vector=spec["vector"],
            title_vector=spec.get("title_vector", "ts_filter(r.search_vector, '{a}')"),
            query=TSQUERY,
            any_query=ANY_TSQUERY,
            boost=spec.get("boost", 1),
            authority=AUTHORITY.format(instrument=instrument) if instrument else 1,
        )
        if similar_titles and spec["trigram"]:
            title = spec["trigram"]
            match = f"({match} OR %(similar_to)s <%% {title})"
            rank = (
                f"GREATEST({rank}, CASE WHEN %(similar_to)s <%% {title}"
                f" THEN word_similarity(%(similar_to)s, {title}) * 0.5 ELSE 0 END)"
            )
        columns = [
            f"'{key}' AS type",
            "r.id",
            f"{rank} AS rank",
            f"{instrument}.legal_force" if instrument else "'' AS legal_force",
            f"{instrument}.kind" if instrument else "'' AS kind",
            "r.modality" if key == "obligation" else "'' AS modality",
            "r.duty_bearer" if key == "obligation" else "'' AS duty_bearer",
        ]
        where = " AND ".join([match, *conditions])
        selects.append(
            f"(SELECT {', '.join(columns)} FROM {spec['from']} WHERE {where}"
            " LIMIT %(max_matches)s)"
        )
    return selects


def fetch_matches(query, filters, offset, limit, *, similar_to=""):
    """The page's (type, id, rank) and the facet counts of every match, in one statement."""
    selects = type_selects(filters, similar_titles=bool(similar_to))
    if not selects:
        return Matches(query=query, page=[], facets=empty_facets())
    sql = (
        f"WITH matches AS MATERIALIZED ({' UNION ALL '.join(selects)}),"
        " page AS (SELECT type, id, rank FROM matches"
        "   ORDER BY rank DESC, type, id LIMIT %(limit)s OFFSET %(offset)s),"
        f" topic_roots AS ({TOPIC_ROOTS}),"
        f" facets AS ({FACETS})"
        " SELECT (SELECT json_agg(json_build_array(type, id, rank) ORDER BY rank DESC, type, id)"
        "   FROM page),"
        " (SELECT json_agg(json_build_array(facet, value, label, count)) FROM facets)"
    )
    params = {
        "query": query,
        "similar_to": similar_to.lower(),
        "max_matches": MAX_MATCHES,
        "limit": limit,
        "offset": offset,
        **filters.active(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        page, facet_rows = cursor.fetchone()
    return Matches(query=query, page=page or [], facets=label_facets(facet_rows or []))


# Counts per type, legal force, kind, modality, duty bearer and top-level topic. A provision
# counts under its instrument's topics, as the topic filter treats it; a topic under itself.
FACETS = """
SELECT 'type' AS facet, type AS value, NULL AS label, COUNT(*) AS count FROM matches GROUP BY type
UNION ALL SELECT 'legal_force', legal_force, NULL, COUNT(*) FROM matches
    WHERE legal_force <> '' GROUP BY legal_force
UNION ALL SELECT 'kind', kind, NULL, COUNT(*) FROM matches WHERE kind <> '' GROUP BY kind
UNION ALL SELECT 'modality', modality, NULL, COUNT(*) FROM matches
    WHERE modality <> '' GROUP BY modality
UNION ALL SELECT 'duty_bearer', duty_bearer, NULL, COUNT(*) FROM matches
    WHERE duty_bearer <> '' GROUP BY duty_bearer
UNION ALL SELECT 'topic', root.slug, root.name, COUNT(*) FROM (
    SELECT DISTINCT topic_roots.root_id, tagged.type, tagged.id FROM (
    SELECT m.type, m.id, t.topic_id FROM matches m
    JOIN instruments_instrument_topics t ON m.type = 'instrument' AND t.instrument_id = m.id
    UNION ALL SELECT m.type, m.id, t.topic_id FROM matches m
    JOIN instruments_provision p ON m.type = 'provision' AND p.id = m.id
    JOIN instruments_instrument_topics t ON t.instrument_id = p.instrument_id
    UNION ALL SELECT m.type, m.id, t.topic_id FROM matches m
    JOIN obligations_norm_topics t ON m.type = 'norm' AND t.norm_id = m.id
    UNION ALL SELECT m.type, m.id, t.topic_id FROM matches m
    JOIN obligations_obligation_topics t ON m.type = 'obligation' AND t.obligation_id = m.id
    UNION ALL SELECT m.type, m.id, t.topic_id FROM matches m
    JOIN obligations_incident_sectors t ON m.type = 'incident' AND t.incident_id = m.id
    UNION ALL SELECT m.type, m.id, m.id FROM matches m WHERE m.type = 'topic'
    ) tagged
    JOIN topic_roots ON topic_roots.id = tagged.topic_id
) counted
JOIN obligations_topic root ON root.id = counted.root_id
GROUP BY root.slug, root.name
"""
TOPIC_ROOTS = """
WITH RECURSIVE walk(id, root_id) AS (
    SELECT id, id FROM obligations_topic WHERE parent_id IS NULL
    UNION ALL SELECT c.id, walk.root_id FROM obligations_topic c JOIN walk ON c.parent_id = walk.id
) SELECT * FROM walk
"""


def empty_facets():
    return {name: [] for name in [*FACET_FIELDS, "topic"]}


def label_facets(rows):
    labels = {
        "type": dict(TYPE_CHOICES),
        "legal_force": dict(LegalForce.choices),
        "kind": dict(InstrumentKind.choices),
        "modality": dict(Modality.choices),
        "duty_bearer": dict(DutyBearer.choices),
    }
    facets = empty_facets()
    for facet, value, label, count in rows:
        label = label or labels[facet].get(value, value)
        facets[facet].append({"value": value, "label": label, "count": count})
    for values in facets.values():
        values.sort(key=lambda v: (-v["count"], v["label"] or ""))
    return facets


def fetch_hits(query, page):
    """Titles, instruments and highlighted snippets for the page's records, in page order."""
    if not page:
        return []
    ids = {}
    for kind, record_id, _rank in page:
        ids.setdefault(kind, []).append(record_id)
    selects = []
    for kind, spec in TYPES.items():
        if kind not in ids:
            continue
        instrument = spec["instrument"]
        columns = [
            f"'{kind}'",
            "r.id",
            f"{spec['slug']}",
            f"{spec['title']}",
            f"{instrument}.legal_force" if instrument else "''",
            f"COALESCE(NULLIF({instrument}.short_title, ''), {instrument}.title)"
            if instrument
            else "''",
            f"{instrument}.slug" if instrument else "''",
            "r.modality" if kind == "obligation" else "''",
            f"ts_headline('normsdb', {spec['body']}, {TSQUERY}, %(options)s)",
        ]
        selects.append(
            f"SELECT {', '.join(columns)} FROM {spec['from']} WHERE r.id = ANY(%({kind})s)"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(selects), {"query": query, "options": HEADLINE_OPTIONS, **ids}
        )
        rows = {(row[0], row[1]): row for row in cursor.fetchall()}
    hits = []
    for kind, record_id, rank in page:
        row = rows.get((kind, record_id))
        if row is None:  # deleted between the two statements
            continue
        hits.append(
            Hit(
                type=kind,
                slug=row[2],
                title=row[3],
                rank=round(float(rank), 4),
                legal_force=row[4],
                instrument_title=row[5],
                instrument_slug=row[6],
                modality=row[7],
                snippet=highlight(row[8]),
            )
        )
    return hits


def highlight(headline):
    """Escape the snippet, then turn the match markers into <mark> elements."""
    escaped = html.escape(headline or "")
    return escaped.replace(HEADLINE_START, "<mark>").replace(HEADLINE_STOP, "</mark>")


def refresh_search_words():
    """Rebuild the spelling lexicon from the current text (after imports)."""
    with connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY normsdb_search_word")
