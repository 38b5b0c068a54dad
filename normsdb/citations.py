"""How to cite any record — plain text, OSCOLA, Bluebook, BibTeX, CSL-JSON — and the
schema.org description of an instrument (JSON-LD).

An instrument is cited as the text it is (a treaty by its opening for signature and entry
into force, a UN document by its symbol and date); a provision as its instrument with a
pinpoint; every other record (a norm, an obligation, an incident…) as a page of NormsDB,
with the date it last changed and the date it was accessed. Each citation carries the
record's permalink on the configured origin (normsdb.origin).
"""

import datetime
import re
from dataclasses import dataclass

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from instruments.models import Instrument, Provision
from normsdb.origin import absolute_url

BLUEBOOK_MONTHS = "Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split()
FORMATS = [
    ("text", "Plain text"),
    ("oscola", "OSCOLA"),
    ("bluebook", "Bluebook"),
    ("bibtex", "BibTeX"),
    ("csl", "CSL-JSON"),
]
TREATY_KINDS = {Instrument.Kind.TREATY, Instrument.Kind.PROTOCOL}


CITATION = inline_serializer(
    "Citation",
    {
        "text": serializers.CharField(help_text="Plain text."),
        "oscola": serializers.CharField(help_text="OSCOLA (UK legal citation)."),
        "bluebook": serializers.CharField(help_text="Bluebook (US legal citation)."),
        "bibtex": serializers.CharField(help_text="A BibTeX @misc entry."),
        "csl": serializers.DictField(help_text="CSL-JSON, for Zotero and other managers."),
        "permalink": serializers.URLField(help_text="The record's stable address."),
    },
)


@dataclass
class Citation:
    text: str
    oscola: str
    bluebook: str
    bibtex: str
    csl: dict
    permalink: str

    def formats(self):
        """[(key, label, value)] for a cite block; CSL-JSON as the dict itself."""
        return [(key, label, getattr(self, key)) for key, label in FORMATS]

    def as_dict(self):
        return {key: getattr(self, key) for key, _ in FORMATS} | {"permalink": self.permalink}


def day(date):
    return f"{date.day} {date:%B %Y}" if date else ""


def bluebook_day(date):
    return f"{BLUEBOOK_MONTHS[date.month - 1]} {date.day}, {date.year}" if date else ""


def date_parts(date):
    return {"date-parts": [[date.year, date.month, date.day]]}


def bibtex_value(value):
    return str(value).replace("\\", "").replace("{", "").replace("}", "")


def bibtex(key, entry_type, fields):
    body = ",\n".join(f"  {name} = {{{bibtex_value(value)}}}" for name, value in fields if value)
    return f"@{entry_type}{{{key},\n{body}\n}}"


def oscola_symbol(symbol):
    """OSCOLA drops full stops from abbreviations: ETS No. 185 → ETS No 185."""
    return symbol.replace("No.", "No").replace("Nos.", "Nos")


def oscola_pinpoint(label):
    """Art. 29 → art 29, para. 13(f) → para 13(f), Rule 20 → r 20."""
    label = re.sub(r"^Arts?\.?\s*", "art ", label, flags=re.IGNORECASE)
    label = re.sub(r"^Rule\s+", "r ", label, flags=re.IGNORECASE)
    return label.replace(".", "")


def bluebook_pinpoint(label):
    """Art. 29 → art. 29, para. 13(f) → ¶ 13(f), Rule 20 → r. 20."""
    label = re.sub(r"^Arts?\.?\s*", "art. ", label, flags=re.IGNORECASE)
    label = re.sub(r"^paras?\.?\s*", "¶ ", label, flags=re.IGNORECASE)
    return re.sub(r"^Rule\s+", "r. ", label, flags=re.IGNORECASE)


def is_un_document(symbol):
    return bool(re.match(r"^(A|S|E|UNGA|A/RES)[/ ]", symbol or ""))


def author_of(instrument):
    author = instrument.author
    if author is not None:
        return author.name
    return instrument.organization.name if instrument.organization else ""


def cite_date(instrument):
    """A treaty is dated by its opening for signature, anything else by its adoption."""
    if instrument.kind in TREATY_KINDS and instrument.opened_for_signature_on:
        return instrument.opened_for_signature_on
    return instrument.first_date


def treaty_dates(instrument):
    parts = []
    if instrument.adopted_on and instrument.adopted_on != instrument.opened_for_signature_on:
        parts.append(f"adopted {day(instrument.adopted_on)}")
    if instrument.opened_for_signature_on:
        parts.append(f"opened for signature {day(instrument.opened_for_signature_on)}")
    if instrument.entered_into_force_on:
        parts.append(f"entered into force {day(instrument.entered_into_force_on)}")
    return ", ".join(parts)


def accessed_on(today=None):
    return today or datetime.date.today()


def cite_instrument(instrument, *, provision=None, today=None):
    today = accessed_on(today)
    permalink = absolute_url(
        provision.get_absolute_url() if provision else instrument.get_absolute_url()
    )
    title, symbol, author = instrument.title, instrument.symbol, author_of(instrument)
    when = cite_date(instrument)
    pin = provision.label if provision else ""
    treaty = instrument.kind in TREATY_KINDS

    if treaty:
        dates = treaty_dates(instrument)
        oscola = f"{title} ({dates})" if dates else title
        oscola += f" {oscola_symbol(symbol)}" if symbol else ""
        bluebook = f"{title}{' ' + bluebook_pinpoint(pin) if pin else ''}"
        bluebook += f", {bluebook_day(when)}" if when else ""
        bluebook += f", {symbol}" if symbol else ""
    elif is_un_document(symbol):
        oscola = f"{author + ' ' if author else ''}‘{title}’ ({day(when)}) UN Doc {symbol}"
        bluebook = f"{title}{', ' + bluebook_pinpoint(pin) if pin else ''}, U.N. Doc. {symbol}"
        bluebook += f" ({bluebook_day(when)})" if when else ""
    else:
        oscola = f"{author + ', ' if author else ''}‘{title}’" + (f" ({day(when)})" if when else "")
        oscola += f" {oscola_symbol(symbol)}" if symbol else ""
        bluebook = f"{author + ', ' if author else ''}{title}"
        bluebook += f", {bluebook_pinpoint(pin)}" if pin else ""
        bluebook += f" ({bluebook_day(when)})" if when else ""
    if pin and not treaty:
        oscola += f" {oscola_pinpoint(pin)}"
    elif pin:
        oscola += f", {oscola_pinpoint(pin)}"
    oscola += f" <{permalink}> accessed {day(today)}"
    bluebook += f", {permalink} (last visited {bluebook_day(today)})."

    described = [title + (f" ({instrument.short_title})" if instrument.short_title else "")]
    if pin:
        described[0] += f", {pin}"
    if symbol:
        described.append(symbol)
    if author:
        described.append(author)
    if treaty and treaty_dates(instrument):
        described.append(treaty_dates(instrument))
    elif when:
        described.append(day(when))
    text = ". ".join(described) + f". NormsDB, {permalink} (accessed {day(today)})."

    key = f"normsdb-{instrument.slug}" + (f"-{provision.anchor}" if provision else "")
    csl_type = {
        Instrument.Kind.TREATY: "treaty",
        Instrument.Kind.PROTOCOL: "treaty",
        Instrument.Kind.LEGISLATION: "legislation",
        Instrument.Kind.REPORT: "report",
    }.get(instrument.kind, "document")
    csl = {"id": key, "type": csl_type, "title": title, "URL": permalink}
    csl["accessed"] = date_parts(today)
    if author:
        csl["author"] = [{"literal": author}]
    if when:
        csl["issued"] = date_parts(when)
    if symbol:
        csl["number"] = symbol
    if pin:
        csl["locator"] = pin
    fields = [
        ("title", title),
        ("author", author),
        ("year", when.year if when else ""),
        ("number", symbol),
        ("note", pin),
        ("howpublished", "NormsDB"),
        ("url", permalink),
        ("urldate", today.isoformat()),
    ]
    return Citation(text, oscola, bluebook, bibtex(key, "misc", fields), csl, permalink)


def cite_page(record, title, *, kind, today=None):
    """A record that exists as a NormsDB page: a norm, an obligation, an incident…"""
    today = accessed_on(today)
    permalink = absolute_url(record.get_absolute_url())
    updated = record.updated_at.date() if getattr(record, "updated_at", None) else None
    text = f"NormsDB, {title} ({kind})"
    text += f", last changed {day(updated)}" if updated else ""
    text += f". {permalink} (accessed {day(today)})."
    oscola = f"NormsDB, ‘{title}’" + (f" ({day(updated)})" if updated else "")
    oscola += f" <{permalink}> accessed {day(today)}"
    bluebook = f"{title}, NormsDB"
    bluebook += f" (last updated {bluebook_day(updated)})" if updated else ""
    bluebook += f", {permalink} (last visited {bluebook_day(today)})."
    key = "normsdb-" + re.sub(r"[^a-z0-9]+", "-", permalink.lower().split("//", 1)[-1]).strip("-")
    csl = {
        "id": key,
        "type": "webpage",
        "title": title,
        "container-title": "NormsDB",
        "genre": kind,
        "URL": permalink,
        "accessed": date_parts(today),
    }
    if updated:
        csl["issued"] = date_parts(updated)
    fields = [
        ("title", title),
        ("howpublished", "NormsDB"),
        ("year", updated.year if updated else ""),
        ("note", kind),
        ("url", permalink),
        ("urldate", today.isoformat()),
    ]
    return Citation(text, oscola, bluebook, bibtex(key, "misc", fields), csl, permalink)


def cite(record, *, today=None):
    """The citation of any record NormsDB has a page (or an anchor) for."""
    from instruments.models import Organization, State
    from obligations.models import (
        Incident,
        LegalQuestion,
        Norm,
        Obligation,
        ResponseMeasure,
        Topic,
    )

    if isinstance(record, Instrument):
        return cite_instrument(record, today=today)
    if isinstance(record, Provision):
        return cite_instrument(record.instrument, provision=record, today=today)
    if isinstance(record, Norm):
        title = f"{record.code}: {record.title}" if record.code else record.title
        return cite_page(record, title, kind="norm", today=today)
    if isinstance(record, Obligation):
        where = str(record.instrument) + (
            f", {record.provision.label}" if record.provision_id else ""
        )
        return cite_page(
            record,
            f"{where}: {record.get_modality_display()} obligation",
            kind="obligation",
            today=today,
        )
    if isinstance(record, ResponseMeasure):
        return cite_page(record, record.name, kind="response measure", today=today)
    if isinstance(record, Incident):
        return cite_page(record, record.name, kind="incident", today=today)
    if isinstance(record, State):
        return cite_page(record, f"{record.name}: state profile", kind="state", today=today)
    if isinstance(record, LegalQuestion):
        return cite_page(record, record.name, kind="legal question", today=today)
    if isinstance(record, Topic):
        return cite_page(record, record.name, kind="topic", today=today)
    if isinstance(record, Organization):
        return cite_page(record, record.name, kind="organisation", today=today)
    raise TypeError(f"no citation for {type(record).__name__}")


def schema_org(instrument):
    """schema.org `Legislation` for an instrument, as JSON-LD."""
    url = absolute_url(instrument.get_absolute_url())
    published = instrument.adopted_on or instrument.opened_for_signature_on
    node = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "@id": url,
        "name": instrument.title,
        "alternateName": instrument.short_title or None,
        "identifier": instrument.symbol or None,
        "legislationIdentifier": instrument.symbol or None,
        "legislationType": instrument.kind,
        "legislationDate": published.isoformat() if published else None,
        "legislationLegalForce": "InForce"
        if instrument.is_in_force()
        else "NotInForce"
        if instrument.status in (Instrument.Status.SUPERSEDED, Instrument.Status.TERMINATED)
        else None,
        "datePublished": published.isoformat() if published else None,
        "dateModified": instrument.updated_at.isoformat() if instrument.updated_at else None,
        "url": url,
        "sameAs": instrument.source_url or None,
        "description": instrument.summary or None,
        "keywords": [topic.name for topic in instrument.topics.all()] or None,
        "legislationPassedBy": (
            {
                "@type": "Organization",
                "name": instrument.organization.name,
                "identifier": instrument.organization.slug,
            }
            if instrument.organization
            else None
        ),
    }
    if instrument.entered_into_force_on:
        node["legislationDateVersion"] = instrument.entered_into_force_on.isoformat()
    return {key: value for key, value in node.items() if value is not None}
