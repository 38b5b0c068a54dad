"""The page's hits: what each shows — title, link, badges — and a highlighted passage
(ts_headline through SearchHeadline), for the page's documents only, in one statement."""

import datetime
import html
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline
from django.db.models import F, Value

from instruments.models import LegalForce
from normsdb.models import SearchDocument

from .documents import TYPES
from .postgres import TSQuery

START, STOP = "\x02", "\x03"
API_RESOURCES = {
    "instrument": "instruments",
    "provision": "provisions",
    "norm": "norms",
    "obligation": "obligations",
    "response_measure": "response-measures",
    "incident": "incidents",
    "topic": "topics",
    "state": "states",
}


@dataclass
class Hit:
    type: str
    slug: str
    title: str
    snippet: str
    rank: float
    legal_force: str
    modality: str
    instrument_title: str
    instrument_slug: str
    html_url: str
    date: datetime.date | None = None  # the record's, as `sort=date` reads it

    @property
    def type_label(self):
        return TYPES[self.type]

    @property
    def legal_force_label(self):
        return LegalForce(self.legal_force).label if self.legal_force else ""

    @property
    def url(self):
        """The record in the API (legal questions have no resource there)."""
        resource = API_RESOURCES.get(self.type)
        return f"/api/v1/{resource}/{self.slug}/" if resource else None


def hits(page, query):
    """Hits for [(document id, score)], in page order; a document deleted meanwhile is
    left out."""
    if not page:
        return []
    headline = SearchHeadline(
        F("body"),
        TSQuery(Value(query.headline_tsquery())),
        config="normsdb",
        start_sel=START,
        stop_sel=STOP,
        max_words=28,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    documents = SearchDocument.objects.filter(id__in=[doc_id for doc_id, _score in page])
    rows = {
        row["id"]: row
        for row in documents.annotate(snippet=headline).values(
            "id",
            "type",
            "key",
            "title",
            "url",
            "legal_force",
            "modality",
            "instrument_title",
            "instrument_slug",
            "date",
            "snippet",
        )
    }
    found = []
    for doc_id, score in page:
        row = rows.get(doc_id)
        if row is None:
            continue
        found.append(
            Hit(
                type=row["type"],
                slug=row["key"],
                title=row["title"],
                snippet=highlight(row["snippet"]),
                rank=round(float(score), 4),
                legal_force=row["legal_force"],
                modality=row["modality"],
                instrument_title=row["instrument_title"] if row["type"] != "instrument" else "",
                instrument_slug=row["instrument_slug"],
                html_url=row["url"] or None,
                date=row["date"],
            )
        )
    return found


def highlight(headline):
    """Escape the passage, then turn the match markers into <mark> elements."""
    escaped = html.escape(headline or "")
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")
