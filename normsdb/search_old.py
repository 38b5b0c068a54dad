"""One search over instruments, provisions, norms, obligations, response measures, incidents
and topics.

PostgreSQL does the work: each table keeps a weighted `search_vector` (a generated column,
GIN-indexed; title A, summary B, other text C; topics use an expression index); the user's
words go through `websearch_to_tsquery` ("quoted phrases", -exclusion, or); matches are ranked
with `ts_rank_cd` and a title score (see RANK); the page's snippets come from `ts_headline`.
A word that no record holds is replaced by the nearest word of the lexicon
(`normsdb_search_word`, pg_trgm similarity); a single word that still finds nothing is
matched against instrument titles by trigram similarity (title prefixes); when few records
hold all the words, those holding some of them follow.

A request runs at most five statements, whatever the page size:
1. the check: terms, respelling, how common the words are, what the filters stand for;
2. the matches: the page's ranks and the facet counts (so the total) in one statement; again
   with the index when a scan for very common words fell short (see scan_pages);
3. at most one fallback: similar titles, or records holding some of the words;
4. the page's titles and highlighted snippets.

Ranking is exact — every match ranked and counted — while the obligations table holds fewer
than EXACT_RANKING_ROWS rows, as any real collection of instruments will. Beyond that (the
million-obligation benchmark) it is capped for speed: each record type contributes at most
MAX_MATCHES records, the first found, so a query that most records match costs no more than
a rare one, but its result is `truncated`: the ranking, the count and the facets cover those
records only, and the user is asked to add words or filters.
"""

import html
import math
import re
from dataclasses import dataclass, field

from django.db import connection
from django.urls import reverse

from instruments.models import InstrumentKind, LegalForce
from obligations.models import DutyBearer, Modality

MAX_QUERY_LENGTH = 200
MAX_MATCHES = 50
EXACT_RANKING_ROWS = 100_000
SCAN_MARGIN = 10
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
# and the table and column matched by trigram similarity: instrument titles, the long formal
# names people type a part of ("budap", "tallinn manual"). Misspelt words of any record are
# found through the lexicon instead.
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
        "trigram": ("instruments_instrument", "title"),
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
        "trigram": None,
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
        "trigram": None,
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
        "trigram": None,
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
    searched_instead: str = ""
    message: str = ""
    searched: bool = False


@dataclass
class Matches:
    """One run of the match statement: the page as (type, id, rank) and the facets."""

    query: str
    page: list
    facets: dict
    max_matches: int = MAX_MATCHES

    @property
    def total(self):
        return sum(value["count"] for value in self.facets["type"])

    def count(self, kind):
        return sum(value["count"] for value in self.facets["type"] if value["value"] == kind)

    @property
    def truncated(self):
        return any(value["count"] >= self.max_matches for value in self.facets["type"])


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

    checked = check(query, filters)
    suggestion = checked.suggestion
    if not query:
        result.message = "Type a few words to search."
        return result
    if checked.terms == 0 and not suggestion:
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
    # A word no record holds, nor another form of it, cannot match: search with the nearest
    # known spelling instead.
    searched = suggestion or query
    matches = fetch_matches(
        searched, filters, checked, offset, page_size, scan_pages=checked.scan_pages
    )
    if checked.scan_pages and matches.count("obligation") < checked.max_matches:
        # The words meet less often than expected: the index finds all there are.
        matches = fetch_matches(searched, filters, checked, offset, page_size)
    if suggestion and matches.total:
        result.searched_instead = suggestion
    loose = any_of_the_words(searched)
    if not matches.total and len(query.split()) == 1:
        # Nothing: instrument titles similar to the word typed (a prefix such as "buda").
        matches = fetch_matches(query, filters, checked, offset, page_size, similar_to=query)
    elif matches.total < FEW_RESULTS and loose:
        # Few records hold all the words: add those holding some of them, after the others.
        wider = fetch_matches(loose, filters, checked, offset, page_size, first=searched)
        if wider.total > matches.total:
            matches = wider
            notes.append("Few records hold all of your words; these hold some of them.")

    result.searched = True
    result.total, result.truncated, result.facets = matches.total, matches.truncated, matches.facets
    result.hits = fetch_hits(matches.query, matches.page)
    if not result.total:
        notes.append(
            "Nothing matches these words. Try fewer or more general words, or browse the topics."
        )
    if result.truncated:
        notes.append(
            f"Very many records match: these are ranked among the first {checked.max_matches:,} of "
            "each kind. Add words or filters to narrow the search."
        )
    if matches.total and not result.hits:
        notes.append("This page is past the last page of results.")
    result.message = " ".join(notes)
    return result


@dataclass
class Checked:
    terms: int
    suggestion: str
    scan_pages: int | None  # see scan_pages()
    topic_ids: list  # the topic filter's subtree
    binding_ids: list  # the instruments binding the state filter's state
    max_matches: int = MAX_MATCHES  # records ranked per type (see the module docstring)


# The query's terms; the nearest known spelling of each word the lexicon lacks; when the
# (respelled) query's required words are ANDed or in a phrase, the share of obligations
# expected to hold them all and the sum of their shares, from the planner's statistics (the
# most common lexemes and their frequencies; a lexeme not among them counts as rare); how
# many obligations and pages there are; the topic filter's subtree; whether the state exists
# and the instruments binding it.
CHECK = f"""
WITH q AS (SELECT querytree({TSQUERY}) AS tree),
frequent AS (
    SELECT most_common_elems::text::text[] AS lexemes, most_common_elem_freqs AS shares
    FROM pg_stats WHERE tablename = 'obligations_obligation' AND attname = 'search_vector'
),
fixes AS (
    SELECT DISTINCT ON (input) input, w.word AS best,
        (tsvector_to_array(to_tsvector('normsdb', input)))[1] AS lexeme,
        (tsvector_to_array(to_tsvector('normsdb', w.word)))[1] AS fixed
    FROM unnest(%(words)s::text[]) AS input
    JOIN normsdb_search_word w ON w.word %% input
    WHERE NOT EXISTS (SELECT 1 FROM normsdb_search_word k WHERE k.word = input)
    -- another form of a known word ("attributing") is found by stemming: no fix
    AND NOT EXISTS (
        SELECT 1 FROM normsdb_search_word k
        WHERE k.word %% input AND to_tsvector('normsdb', k.word) = to_tsvector('normsdb', input)
    )
    ORDER BY input, similarity(w.word, input) DESC, w.documents DESC
),
terms AS (
    SELECT term[1] AS lexeme, COALESCE(fixes.fixed, term[1]) AS respelled
    FROM q, regexp_matches(q.tree, '''([^'']+)''', 'g') AS term
    LEFT JOIN fixes ON fixes.lexeme = term[1]
    WHERE q.tree ~ '^[^|!]+$'
)
SELECT numnode({TSQUERY}),
    (SELECT json_object_agg(input, best) FROM fixes),
    (SELECT json_build_array(exp(sum(ln(COALESCE(share, 1e-6)))), sum(COALESCE(share, 0)))
        FROM terms, LATERAL (
            SELECT shares[array_position(lexemes, terms.respelled)] AS share FROM frequent
        ) AS f),
    (SELECT json_build_array(reltuples, relpages) FROM pg_class
        WHERE oid = 'obligations_obligation'::regclass),
    (SELECT array_agg(id) FROM ({TOPIC_SUBTREE}) AS subtree),
    EXISTS (SELECT 1 FROM instruments_state WHERE code = %(state)s),
    (SELECT COALESCE(array_agg(id), '{{}}') FROM ({BINDING_ON_STATE}) AS binding)
"""


def check(query, filters):
    """How many terms the query has after stop words, a respelling from the lexicon, whether
    its words are common enough to scan for rather than look up (see type_selects), and what
    the topic and state filters stand for (SearchError when either does not exist); one
    statement.

    Each word not in the lexicon is replaced by the most similar known word (trigram
    similarity ≥ 0.4, the most frequent on a tie), as long as one exists.
    """
    if not query and not filters.topic and not filters.state:
        return Checked(
            terms=0,
            suggestion="",
            scan_pages=None,
            topic_ids=[],
            binding_ids=[],
            max_matches=EXACT_RANKING_ROWS,
        )
    words = [w for w in re.findall(r"[^\W\d_]{3,}", query.lower()) if len(w) <= 40][:12]
    with connection.cursor() as cursor:
        cursor.execute(
            CHECK, {"query": query, "words": words, "topic": filters.topic, "state": filters.state}
        )
        terms, fixes, shares, size, topic_ids, state_found, binding_ids = cursor.fetchone()
    errors = {}
    if filters.topic and not topic_ids:
        errors["topic"] = f'No topic "{filters.topic[:60]}"; see /topics/ for the list.'
    if filters.state and not state_found:
        errors["state"] = f'No state with code "{filters.state}".'
    if errors:
        raise SearchError(errors)
    suggestion = ""
    if fixes:
        suggestion = re.sub(
            r"[^\W\d_]+", lambda m: fixes.get(m.group(0).lower(), m.group(0)), query
        )
    # reltuples is -1 for a table never analysed (a new one): small.
    exact = not size or size[0] < EXACT_RANKING_ROWS
    return Checked(
        terms=terms,
        suggestion=suggestion,
        scan_pages=None if exact else scan_pages(shares, size, filters),
        topic_ids=topic_ids or [],
        binding_ids=binding_ids,
        max_matches=EXACT_RANKING_ROWS if exact else MAX_MATCHES,
    )


def scan_pages(shares, size, filters):
    """How many pages of obligations to read in order to find MAX_MATCHES of them, when that
    costs less than the GIN index; None to use the index (see type_selects).

    The scan reads about MAX_MATCHES / share rows, each about 4 times the cost of a
    posting-list entry; the index reads obligations × (sum of the words' shares) entries
    (both measured at a million obligations). The share of several words together is
    estimated as if they were independent, and a phrase as if its words were side by side
    wherever they meet. Should the words, a phrase or the filters be rarer than that, the
    scan stops after SCAN_MARGIN times the rows expected, and the search asks the index
    after all. A column filter (modality, legal force…) keeps a fair share of the rows; a
    topic or a state very few: with those, the index.
    """
    share, total = shares
    obligations, pages = size
    if not share or not pages or filters.type not in ("", "obligation"):
        return None
    if filters.topic or filters.state:  # they keep a few obligations in a hundred
        return None
    rows = SCAN_MARGIN * MAX_MATCHES / share
    if rows >= obligations or 4 * MAX_MATCHES / share >= obligations * total:
        return None
    return math.ceil(rows / (obligations / pages))


def any_of_the_words(query):
    """The words joined by `or`, when the query has several and no search operators."""
    if re.search(r'["\-]|\bor\b', query, re.IGNORECASE):
        return ""
    words = re.findall(r"\w+", query)
    return " or ".join(words) if len(words) > 1 else ""


def type_selects(filters, *, similar_titles, scan, first):
    """One SELECT per record type the filters allow: id, rank and the facet columns, for at
    most MAX_MATCHES records each. With `similar_titles`, titles similar to the words typed
    match too (trigram word similarity).

    For words in many obligations the GIN index would first list every obligation holding
    them before the LIMIT applies: 560,000 for "states" at a million obligations, 80 ms;
    44,000 for "information security", 30 ms. Reading the table in order finds MAX_MATCHES
    of them within a few thousand rows (1 to 4 ms). The planner underrates the index's
    cost, so with `scan` the match is written `(…) IS TRUE`, which it cannot serve from the
    index (it still estimates the share of matching rows correctly), and bounded to the
    first pages (a TID range scan; see scan_pages). Only obligations are that many; the
    other tables keep the index.
    """
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
            conditions.append(f"{instrument}.id = ANY(%(binding_ids)s)")
        if filters.modality:
            conditions.append("r.modality = %(modality)s")
        if filters.duty_bearer:
            conditions.append("r.duty_bearer = %(duty_bearer)s")
        if filters.topic and spec["topics"] == "self":
            conditions.append("r.id = ANY(%(topic_ids)s)")
        elif filters.topic:
            table, column, owner = spec["topics"]
            conditions.append(
                f"EXISTS (SELECT 1 FROM {table} tt WHERE tt.{column} = {owner}"
                " AND tt.topic_id = ANY(%(topic_ids)s))"
            )
        match = f"{spec['vector']} @@ {TSQUERY}"
        if scan and key == "obligation":
            match = f"({match}) IS TRUE AND r.ctid < %(scan_until)s::tid"
        rank = RANK.format(
            vector=spec["vector"],
            title_vector=spec.get("title_vector", "ts_filter(r.search_vector, '{a}')"),
            query=TSQUERY,
            any_query=ANY_TSQUERY,
            boost=spec.get("boost", 1),
            authority=AUTHORITY.format(instrument=instrument) if instrument else 1,
        )
        if similar_titles and spec["trigram"]:
            # Two lookups, each served by its own GIN index (an OR of both makes the planner
            # scan the table and compute the costly similarity on every row).
            table, title = spec["trigram"]
            match = (
                f"r.id IN ((SELECT id FROM {table} WHERE search_vector @@ {TSQUERY}"
                " LIMIT %(max_matches)s) UNION ALL"
                f" (SELECT id FROM {table} WHERE %(similar_to)s <%% {title} LIMIT %(max_matches)s))"
            )
            rank = (
                f"GREATEST({rank}, CASE WHEN %(similar_to)s <%% r.{title}"
                f" THEN word_similarity(%(similar_to)s, r.{title}) * 0.5 ELSE 0 END)"
            )
        columns = [
            f"'{key}' AS type",
            "r.id",
            f"{rank} AS rank",
            f"{spec['vector']} @@ websearch_to_tsquery('normsdb', %(first)s) AS first"
            if first
            else "TRUE AS first",
            f"{instrument}.legal_force" if instrument else "'' AS legal_force",
            f"{instrument}.kind" if instrument else "'' AS kind",
            "r.modality" if key == "obligation" else "'' AS modality",
            "r.duty_bearer" if key == "obligation" else "'' AS duty_bearer",
        ]
        where = " AND ".join([match, *conditions])
        selects.append(
            f"(SELECT {', '.join(columns)} FROM {spec['from']} WHERE {where} LIMIT %(max_matches)s)"
        )
    return selects


def fetch_matches(
    query, filters, checked, offset, limit, *, similar_to="", scan_pages=None, first=""
):
    """The page's (type, id, rank) and the facet counts of every match, in one statement.
    Records matching the query `first` come before the others."""
    selects = type_selects(
        filters, similar_titles=bool(similar_to), scan=bool(scan_pages), first=bool(first)
    )
    if not selects:
        return Matches(query=query, page=[], facets=empty_facets())
    sql = (
        f"WITH matches AS MATERIALIZED ({' UNION ALL '.join(selects)}),"
        " page AS (SELECT type, id, rank, first FROM matches"
        "   ORDER BY first DESC, rank DESC, type, id LIMIT %(limit)s OFFSET %(offset)s),"
        f" topic_roots AS ({TOPIC_ROOTS}),"
        f" facets AS ({FACETS})"
        " SELECT (SELECT json_agg(json_build_array(type, id, rank)"
        "   ORDER BY first DESC, rank DESC, type, id) FROM page),"
        " (SELECT json_agg(json_build_array(facet, value, label, count)) FROM facets)"
    )
    params = {
        "query": query,
        "first": first,
        "scan_until": f"({scan_pages},0)",
        "topic_ids": checked.topic_ids,
        "binding_ids": checked.binding_ids,
        "similar_to": similar_to.lower(),
        "max_matches": checked.max_matches,
        "limit": limit,
        "offset": offset,
        **filters.active(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        page, facet_rows = cursor.fetchone()
    return Matches(
        query=query,
        page=page or [],
        facets=label_facets(facet_rows or []),
        max_matches=checked.max_matches,
    )


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
