"""The citation resolver: what lawyers write, turned into the record it names.

    A/70/174 para 13(f)            a UN document symbol and a paragraph
    A/RES/73/27                    a resolution
    ETS No. 185, Art. 29           a Council of Europe treaty number and an article
    CETS 224 art 9                 the same, written loosely
    Budapest Convention Art. 32(b) a short title (or title) and a pinpoint below an article
    OJ L 129I, 17.5.2019           an Official Journal reference (two acts share this one)

A citation is an instrument part and an optional pinpoint (art., para., rule, section, §) at
the end. The instrument part is compared with each part of the instruments' symbols (they
may hold several: "Regulation (EU) 2019/796; OJ L 129I, 17.5.2019, p. 1") written the same
way — lower case, "No." dropped, punctuation as spaces — a citation that stops early ("… ,
17.5.2019" without the page) still matching; else with short titles and titles. The pinpoint
is matched with the instrument's provision labels the same way; a point the dataset does not
record on its own ("Art. 32(b)") resolves to the provision that holds it ("Art. 32"), and
says so.

Used by /resolve/ and /api/v1/resolve/, and first by the search: a query that resolves puts
its record first (normsdb.search).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q

from instruments.models import Instrument, Provision

PINPOINT = re.compile(
    r"(?:,\s*|\s+)(?P<unit>articles?|arts?\.?|paragraphs?|paras?\.?|rules?|r\.|sections?|"
    r"sec\.?|§)\s*(?P<number>\d+[a-z]?(?:\s*\(\s*[a-z0-9]+\s*\))*)\s*$",
    re.IGNORECASE,
)
UNITS = {"art": "art", "par": "para", "rul": "rule", "r.": "rule", "sec": "section", "§": "section"}
UNIT_NAMES = {"art": "Art.", "para": "para.", "rule": "Rule", "section": "section"}


@dataclass
class Resolution:
    cite: str
    understood: str = ""
    record: object = None  # the Instrument or Provision
    alternatives: list = field(default_factory=list)
    note: str = ""

    @property
    def status(self):
        if self.record is not None:
            return "found"
        return "ambiguous" if len(self.alternatives) > 1 else "unknown"

    def records(self):
        """The records a search puts first: the match, or every alternative."""
        return [self.record] if self.record is not None else self.alternatives


def key(text):
    """Symbols and labels written one way: "ETS No. 185" → "ets 185"."""
    text = re.sub(r"\bnos?\.?(?=\s|\d|$)", " ", text.lower())
    return " ".join(re.findall(r"[a-z0-9]+(?:[/.][a-z0-9]+)*", text))


def symbol_parts(symbol):
    parts = re.split(r";|\(annexed to", symbol or "")
    return [key(part) for part in parts if key(part)]


def names(symbol_key, part_key):
    return part_key == symbol_key or part_key.startswith(symbol_key + " ")


def split(cite):
    """(instrument part, (unit, number) or None)."""
    match = PINPOINT.search(cite)
    if not match or not cite[: match.start()].strip():
        return cite.strip(" ,"), None
    unit = match["unit"].lower()
    unit = UNITS.get(unit[:3], UNITS.get(unit[:2], unit))
    return cite[: match.start()].strip(" ,"), (unit, re.sub(r"\s+", "", match["number"].lower()))


def instruments_cited(part):
    """The instruments whose symbol, short title or title the text gives."""
    wanted = key(part)
    if not wanted:
        return []
    tokens = sorted((t for t in wanted.split() if re.search(r"\d", t)), key=len, reverse=True)
    if tokens:
        candidates = Instrument.objects.filter(symbol__icontains=tokens[0])
        found = [i for i in candidates if any(names(wanted, p) for p in symbol_parts(i.symbol))]
        if found:
            return sorted(found, key=lambda instrument: instrument.title)
    named = Instrument.objects.filter(Q(short_title__iexact=part) | Q(title__iexact=part))
    return list(named)


def label_key(label):
    match = re.match(r"\s*([^\W\d]+\.?|§)\s*(.*)$", label)
    if not match:
        return label.lower()
    unit = match[1].lower()
    unit = UNITS.get(unit[:3], UNITS.get(unit[:2], unit))
    return unit + re.sub(r"[\s.]+", "", match[2].lower())


def provision_cited(instrument, unit, number):
    """The provision the pinpoint names, or the one holding the point; with a note."""
    labels = {label_key(p.label): p for p in Provision.objects.filter(instrument=instrument)}
    wanted = unit + number
    while True:
        if wanted in labels:
            provision = labels[wanted]
            note = ""
            if wanted != unit + number:
                point = (unit + number)[len(wanted) :]
                note = f"Point {point} is not recorded on its own: {provision.label} holds it."
            return provision, note
        shorter = re.sub(r"\([a-z0-9]+\)$", "", wanted)
        if shorter == wanted:
            return None, ""
        wanted = shorter


def pinpoint_text(pinpoint):
    unit, number = pinpoint
    return f"{UNIT_NAMES.get(unit, unit)} {number}"


def resolve(cite):
    """The record the citation names, the alternatives when several fit, and what was
    understood either way."""
    cite = " ".join((cite or "").split())[:200]
    result = Resolution(cite=cite)
    part, pinpoint = split(cite)
    found = instruments_cited(part)
    wanted = f"an instrument “{part}” (by symbol, short title or title)"
    if pinpoint:
        wanted += f", at {pinpoint_text(pinpoint)}"
    if not found:
        result.understood = f"Looked for {wanted}: no instrument has that symbol or title."
        return result
    if len(found) > 1:
        result.understood = f"Looked for {wanted}: {len(found)} instruments fit."
        result.alternatives = found
        if pinpoint:
            provisions = [provision_cited(i, *pinpoint)[0] for i in found]
            result.alternatives = [p or i for p, i in zip(provisions, found, strict=True)]
        return result
    instrument = found[0]
    result.understood = f"{part} is {instrument.title}"
    if not pinpoint:
        result.record = instrument
        return result
    provision, result.note = provision_cited(instrument, *pinpoint)
    if provision is None:
        result.understood += f", which has no {pinpoint_text(pinpoint)} here."
        result.alternatives = [instrument]
        return result
    result.understood += f", {provision.label}."
    result.record = provision
    return result


def looks_like_citation(text):
    """Worth resolving before a search: a number in it (a symbol, an article)."""
    return bool(re.search(r"\d", text or ""))
