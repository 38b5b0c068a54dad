"""One search over instruments, provisions, norms, obligations, response measures and incidents.

PostgreSQL does the work: each table keeps a weighted `search_vector` (a generated column,
GIN-indexed; title A, summary B, other text C); the user's words go through
`websearch_to_tsquery` ("quoted phrases", -exclusion, or); matches are ranked with
`ts_rank_cd`; the page's snippets come from `ts_headline`. When the words find little, the
`search_word` lexicon (pg_trgm) proposes the nearest known spelling and titles are matched by
trigram similarity, which also serves title prefixes.

A request runs at most four queries: the spelling check, the page of results (twice when the
words find almost nothing and a respelling finds more), and the facets.
"""

import html
import re
from dataclasses import dataclass, field

from django.db import connection
from django.urls import reverse

from instruments.models import InstrumentKind, LegalForce
from obligations.models import DutyBearer, Modality

MAX_QUERY_LENGTH = 200
HEADLINE_START, HEADLINE_STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (
    f"StartSel={HEADLINE_START}, StopSel={HEADLINE_STOP}, MaxWords=28, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
FEW_RESULTS = 3

# Each type: its table, joins, the title and text shown, and how filters reach it.
TYPES = {
    "instrument": {
        "label": "Instrument",
        "from": "instruments_instrument r",
        "slug": "r.slug",
        "title": "r.title",
        "body": "r.summary",
        "instrument": "r",
        "topics": ("instruments_instrument_topics", "instrument_id"),
        "trigram": "r.title",
    },
    "provision": {
        "label": "Provision",
        "from": "instruments_provision r JOIN instruments_instrument i ON i.id = r.instrument_id",
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
        "from": "obligations_norm r",
        "slug": "r.slug",
        "title": "r.title",
        "body": "r.statement",
        "instrument": None,
        "topics": ("obligations_norm_topics", "norm_id"),
        "trigram": "r.title",
    },
    "obligation": {
        "label": "Obligation",
        "from": "obligations_obligation r JOIN instruments_instrument i ON i.id = r.instrument_id"
        " LEFT JOIN instruments_provision p ON p.id = r.provision_id",
        "slug": "r.slug",
        "title": "COALESCE(NULLIF(i.short_title, ''), i.title) || COALESCE(', ' || p.label, '')",
        "body": "r.summary",
        "instrument": "i",
        "topics": ("obligations_obligation_topics", "obligation_id"),
        "trigram": None,
    },
    "response_measure": {
        "label": "Response measure",
        "from": "obligations_responsemeasure r",
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
        "slug": "r.slug",
        "title": "r.name",
        "body": "r.summary",
        "instrument": None,
        "topics": ("obligations_incident_sectors", "incident_id"),
        "trigram": "r.name",
    },
}
TYPE_CHOICES = [(key, spec["label"]) for key, spec in TYPES.items()]

TOPIC_SUBTREE = (
    "WITH RECURSIVE subtree(id) AS (SELECT id FROM obligations_topic WHERE slug = %s"
    " UNION SELECT c.id FROM obligations_topic c JOIN subtree s ON c.parent_id = s.id)"
    " SELECT id FROM subtree"
)
BINDING_ON_STATE = (
    "SELECT bi.id FROM instruments_instrument bi JOIN instruments_participation bp"
    " ON bp.instrument_id = bi.id WHERE bp.state_id = %s AND bp.status = 'party'"
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
        """Read and check filter values; unknown ones raise SearchError naming the parameter."""
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
                errors[name] = f'"{value[:40]}" is not one of: {", ".join(allowed)}.'
        if filters.state:
            filters.state = filters.state.upper()
            if not re.fullmatch(r"[A-Z]{2}", filters.state):
                errors["state"] = "Give a state as its two-letter ISO code, e.g. DE."
        if not errors and (filters.topic or filters.state):
            errors.update(filters.unknown_references())
        if errors:
            raise SearchError(errors)
        return filters

    def unknown_references(self):
        """Topic and state must exist: one query checks both."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM obligations_topic WHERE slug = %s),"
                " EXISTS (SELECT 1 FROM instruments_state WHERE code = %s)",
                [self.topic, self.state],
            )
            topic_found, state_found = cursor.fetchone()
        errors = {}
        if self.topic and not topic_found:
            errors["topic"] = f'No topic "{self.topic[:60]}"; see /topics/ for the list.'
        if self.state and not state_found:
            errors["state"] = f'No state with code "{self.state}".'
        return errors

    @staticmethod
    def names():
        return ["type", "topic", "legal_force", "kind", "state", "modality", "duty_bearer"]

    def active(self):
        return {name: getattr(self, name) for name in self.names() if getattr(self, name)}


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
        return reverse("obligations:incident", args=[self.slug])

    @property
    def url(self):
        return self.api_url

    @property
    def api_url(self):
        resource = {
            "instrument": "instruments",
            "provision": "provisions",
            "norm": "norms",
            "obligation": "obligations",
            "response_measure": "response-measures",
            "incident": "incidents",
        }[self.type]
        return f"/api/v1/{resource}/{self.slug}/"


@dataclass
class SearchResult:
    query: str
    hits: list = field(default_factory=list)
    total: int = 0
    facets: dict = field(default_factory=dict)
    suggestion: str = ""
    searched_instead: str = ""
    message: str = ""


def clean_query(text):
    """Drop control characters (NUL breaks the driver), squeeze spaces, cap the length."""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text or "")
    text = " ".join(text.split())
    return text[:MAX_QUERY_LENGTH]


def search(text, filters=None, *, page=1, page_size=20):
    filters = filters or Filters()
    query = clean_query(text)
    result = SearchResult(query=query)
    if not query:
        result.message = "Type a few words to search."
        return result
    if len(text or "") > MAX_QUERY_LENGTH:
        result.message = f"Your query was shortened to its first {MAX_QUERY_LENGTH} characters."

    nodes, suggestion = spelling(query)
    if nodes == 0 and not suggestion:
        result.message = (
            "Your query holds only very common words (such as “the” or “of”), which are not "
            "indexed. Add a more specific word."
        )
        result.facets = empty_facets()
        return result
    searched = query
    hits, total = fetch_page(query, filters, page, page_size)
    if total < FEW_RESULTS and suggestion and suggestion != query:
        corrected_hits, corrected_total = fetch_page(suggestion, filters, page, page_size)
        if corrected_total > total:
            searched, hits, total = suggestion, corrected_hits, corrected_total
            result.searched_instead = suggestion
        else:
            result.suggestion = suggestion
    result.hits, result.total = hits, total
    result.facets = fetch_facets(searched, filters) if total else empty_facets()
    return result


def spelling(query):
    """How many terms the query has after stop words, and a respelling from the lexicon.

    Each word not in the lexicon is replaced by the most similar known word (trigram
    similarity ≥ 0.4, the most frequent on a tie), as long as one exists.
    """
    words = [w for w in re.findall(r"[^\W\d_]{3,}", query.lower()) if len(w) <= 40][:12]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery('normsdb', %s)),"
            " (SELECT json_object_agg(input, best) FROM ("
            "   SELECT DISTINCT ON (input) input, w.word AS best"
            "   FROM unnest(%s::text[]) AS input"
            "   JOIN normsdb_search_word w ON w.word %% input"
            "   WHERE NOT EXISTS (SELECT 1 FROM normsdb_search_word k WHERE k.word = input)"
            "   ORDER BY input, similarity(w.word, input) DESC, w.documents DESC"
            " ) AS fixes)",
            [query, words],
        )
        nodes, fixes = cursor.fetchone()
    if not fixes:
        return nodes, ""
    respelled = re.sub(r"[^\W\d_]+", lambda m: fixes.get(m.group(0).lower(), m.group(0)), query)
    return nodes, respelled


def type_queries(filters, *, with_body):
    """One SELECT per searchable type, with the filters that apply to it."""
    selects, params = [], []
    for key, spec in TYPES.items():
        if filters.type and filters.type != key:
            continue
        conditions, type_params = [], []
        instrument = spec["instrument"]
        if (filters.legal_force or filters.kind or filters.state) and not instrument:
            continue
        if (filters.modality or filters.duty_bearer) and key != "obligation":
            continue
        if filters.legal_force:
            conditions.append(f"{instrument}.legal_force = %s")
            type_params.append(filters.legal_force)
        if filters.kind:
            conditions.append(f"{instrument}.kind = %s")
            type_params.append(filters.kind)
        if filters.state:
            conditions.append(f"{instrument}.id IN ({BINDING_ON_STATE})")
            type_params.append(filters.state)
        if filters.modality:
            conditions.append("r.modality = %s")
            type_params.append(filters.modality)
        if filters.duty_bearer:
            conditions.append("r.duty_bearer = %s")
            type_params.append(filters.duty_bearer)
        if filters.topic:
            if not spec["topics"]:
                continue
            table, column, *owner = spec["topics"]
            owner = owner[0] if owner else "r.id"
            conditions.append(
                f"EXISTS (SELECT 1 FROM {table} tt WHERE tt.{column} = {owner}"
                f" AND tt.topic_id IN ({TOPIC_SUBTREE}))"
            )
            type_params.append(filters.topic)
        match = "r.search_vector @@ q.query"
        rank = "ts_rank_cd(r.search_vector, q.query, 1)"
        if spec["trigram"]:
            # Title prefixes and misspelt titles: trigram word similarity on the title.
            match = f"({match} OR q.text <%% {spec['trigram']})"
            rank = (
                f"GREATEST({rank}, CASE WHEN q.text <%% {spec['trigram']}"
                f" THEN word_similarity(q.text, {spec['trigram']}) * 0.5 ELSE 0 END)"
            )
        columns = [
            f"'{key}' AS type",
            "r.id",
            f"{spec['slug']} AS slug",
            f"{rank} AS rank",
            f"{instrument}.legal_force" if instrument else "'' AS legal_force",
            f"{instrument}.kind" if instrument else "'' AS kind",
            "r.modality" if key == "obligation" else "'' AS modality",
            "r.duty_bearer" if key == "obligation" else "'' AS duty_bearer",
        ]
        if with_body:
            columns += [
                f"{spec['title']} AS title",
                f"{spec['body']} AS body",
                f"COALESCE(NULLIF({instrument}.short_title, ''), {instrument}.title)"
                " AS instrument_title"
                if instrument
                else "'' AS instrument_title",
                f"{instrument}.slug AS instrument_slug" if instrument else "'' AS instrument_slug",
            ]
        where = " AND ".join([match, *conditions])
        selects.append(f"SELECT {', '.join(columns)} FROM {spec['from']}, q WHERE {where}")
        params += type_params
    return selects, params


QUERY_CTE = "WITH q AS (SELECT websearch_to_tsquery('normsdb', %s) AS query, lower(%s) AS text)"


def fetch_page(query, filters, page, page_size):
    selects, params = type_queries(filters, with_body=True)
    if not selects:
        return [], 0
    offset = (max(page, 1) - 1) * page_size
    sql = (
        f"{QUERY_CTE}, matches AS ({' UNION ALL '.join(selects)}),"
        " page AS (SELECT *, COUNT(*) OVER () AS total FROM matches"
        "   ORDER BY rank DESC, type, title LIMIT %s OFFSET %s)"
        " SELECT page.type, page.slug, page.title, page.rank, page.legal_force,"
        "   page.instrument_title, page.instrument_slug, page.modality, page.total,"
        f"   ts_headline('normsdb', page.body, q.query, %s)"
        " FROM page, q ORDER BY page.rank DESC, page.type, page.title"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, query, *params, page_size, offset, HEADLINE_OPTIONS])
        rows = cursor.fetchall()
    if not rows:
        # Past the last page the window count is empty: count the matches instead.
        return [], count_matches(query, filters) if page > 1 else 0
    hits = [
        Hit(
            type=r[0],
            slug=r[1],
            title=r[2],
            rank=round(float(r[3]), 4),
            legal_force=r[4],
            instrument_title=r[5],
            instrument_slug=r[6],
            modality=r[7],
            snippet=highlight(r[9]),
        )
        for r in rows
    ]
    return hits, rows[0][8]


def count_matches(query, filters):
    selects, params = type_queries(filters, with_body=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{QUERY_CTE} SELECT COUNT(*) FROM ({' UNION ALL '.join(selects)}) m",
            [query, query, *params],
        )
        return cursor.fetchone()[0]


def highlight(headline):
    """Escape the snippet, then turn the match markers into <mark> elements."""
    escaped = html.escape(headline or "")
    return escaped.replace(HEADLINE_START, "<mark>").replace(HEADLINE_STOP, "</mark>")


FACET_FIELDS = ["type", "legal_force", "kind", "modality", "duty_bearer"]


def empty_facets():
    return {name: [] for name in [*FACET_FIELDS, "topic"]}


def fetch_facets(query, filters):
    """Counts per type, legal force, kind, modality, duty bearer and top-level topic."""
    selects, params = type_queries(filters, with_body=False)
    if not selects:
        return empty_facets()
    sql = (
        f"{QUERY_CTE}, matches AS ({' UNION ALL '.join(selects)})"
        " SELECT 'type', type, NULL, COUNT(*) FROM matches GROUP BY type"
        " UNION ALL SELECT 'legal_force', legal_force, NULL, COUNT(*) FROM matches"
        "   WHERE legal_force <> '' GROUP BY legal_force"
        " UNION ALL SELECT 'kind', kind, NULL, COUNT(*) FROM matches WHERE kind <> ''"
        "   GROUP BY kind"
        " UNION ALL SELECT 'modality', modality, NULL, COUNT(*) FROM matches"
        "   WHERE modality <> '' GROUP BY modality"
        " UNION ALL SELECT 'duty_bearer', duty_bearer, NULL, COUNT(*) FROM matches"
        "   WHERE duty_bearer <> '' GROUP BY duty_bearer"
        " UNION ALL SELECT 'topic', roots.slug, roots.name, COUNT(DISTINCT (m.type, m.id))"
        "   FROM matches m"
        "   JOIN LATERAL ("
        "     SELECT topic_id FROM instruments_instrument_topics WHERE m.type = 'instrument'"
        "       AND instrument_id = m.id"
        "     UNION ALL SELECT topic_id FROM obligations_norm_topics WHERE m.type = 'norm'"
        "       AND norm_id = m.id"
        "     UNION ALL SELECT topic_id FROM obligations_obligation_topics"
        "       WHERE m.type = 'obligation' AND obligation_id = m.id"
        "     UNION ALL SELECT topic_id FROM obligations_incident_sectors"
        "       WHERE m.type = 'incident' AND incident_id = m.id"
        "   ) tagged ON TRUE"
        "   JOIN topic_roots roots_map ON roots_map.id = tagged.topic_id"
        "   JOIN obligations_topic roots ON roots.id = roots_map.root_id"
        "   GROUP BY roots.slug, roots.name"
    )
    sql = sql.replace(
        f"{QUERY_CTE},",
        f"{QUERY_CTE}, topic_roots AS (WITH RECURSIVE walk(id, root_id) AS ("
        " SELECT id, id FROM obligations_topic WHERE parent_id IS NULL"
        " UNION ALL SELECT c.id, walk.root_id FROM obligations_topic c"
        " JOIN walk ON c.parent_id = walk.id) SELECT * FROM walk),",
        1,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, query, *params])
        rows = cursor.fetchall()
    facets = empty_facets()
    labels = {
        "type": dict(TYPE_CHOICES),
        "legal_force": dict(LegalForce.choices),
        "kind": dict(InstrumentKind.choices),
        "modality": dict(Modality.choices),
        "duty_bearer": dict(DutyBearer.choices),
    }
    for facet, value, label, count in rows:
        label = label or labels[facet].get(value, value)
        facets[facet].append({"value": value, "label": label, "count": count})
    for values in facets.values():
        values.sort(key=lambda v: (-v["count"], v["label"] or ""))
    return facets


def refresh_search_words():
    """Rebuild the spelling lexicon from the current text (after imports)."""
    with connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW normsdb_search_word")
