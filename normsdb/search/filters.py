"""The filters of a search, read from the query string and checked: a value that names
nothing is a SearchError naming the parameter (the views answer 400).

What a topic or a state stands for comes from the model's own QuerySets: a topic is its
subtree (`Topic.objects.subtree`), a state the instruments binding it
(`Instrument.objects.binding_on`); the backends filter by those ids.
"""

import re
from dataclasses import dataclass, field

from instruments.models import Instrument, InstrumentKind, LegalForce, State
from obligations.models import DutyBearer, Modality, Topic

from .documents import TYPES
from .query import clean

NAMES = ["type", "topic", "legal_force", "kind", "state", "modality", "duty_bearer"]
SORTS = {"relevance": "Relevance", "date": "Date, newest first"}
CHOICES = {
    "type": list(TYPES),
    "legal_force": LegalForce.values,
    "kind": InstrumentKind.values,
    "modality": Modality.values,
    "duty_bearer": DutyBearer.values,
}
# The types a filter can apply to: instruments and what belongs to one for their legal force,
# kind and state; obligations alone for modality and duty bearer.
OF_INSTRUMENTS = {"instrument", "provision", "obligation"}
WITH_TOPICS = {"instrument", "provision", "norm", "obligation", "incident", "topic"}


class SearchError(ValueError):
    """A parameter the search cannot use: `errors` maps its name to why."""

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
    sort: str = "relevance"
    topic_id: int | None = None
    topic_ids: list = field(default_factory=list)  # the topic's subtree
    instrument_ids: list = field(default_factory=list)

    @classmethod
    def from_params(cls, params):
        """Read and check the filters; SearchError names each parameter it cannot use."""
        filters = cls(**{name: (params.get(name) or "").strip() for name in NAMES})
        filters.sort = (params.get("sort") or "relevance").strip()
        errors = {}
        for name, allowed in CHOICES.items():
            value = getattr(filters, name)
            if value and value not in allowed:
                errors[name] = f'"{printable(value)}" is not one of: {", ".join(allowed)}.'
        if filters.sort not in SORTS:
            errors["sort"] = f'"{printable(filters.sort)}" is not one of: {", ".join(SORTS)}.'
        if filters.topic:
            filters.topic_id, filters.topic_ids = subtree(filters.topic, errors)
        if filters.state:
            filters.state = filters.state.upper()
            filters.instrument_ids = binding_instruments(filters.state, errors)
        if errors:
            raise SearchError(errors)
        return filters

    def active(self):
        """{name: value} of the filters set, for links and the page."""
        return {name: getattr(self, name) for name in NAMES if getattr(self, name)}

    def types(self):
        """The record types the filters leave."""
        kinds = set(TYPES)
        if self.type:
            kinds &= {self.type}
        if self.legal_force or self.kind or self.state:
            kinds &= OF_INSTRUMENTS
        if self.modality or self.duty_bearer:
            kinds &= {"obligation"}
        if self.topic:
            kinds &= WITH_TOPICS
        return [kind for kind in TYPES if kind in kinds]


def subtree(slug, errors):
    """The topic's id and the ids of its subtree."""
    if not re.fullmatch(r"[-\w]{1,100}", slug, re.ASCII):
        errors["topic"] = f'"{printable(slug)}" is not a topic slug; see /topics/.'
        return None, []
    found = dict(Topic.objects.subtree(slug).values_list("slug", "id"))
    if not found:
        errors["topic"] = f'No topic "{slug}"; see /topics/ for the list.'
    return found.get(slug), list(found.values())


def binding_instruments(code, errors):
    if not re.fullmatch(r"[A-Z]{2}", code):
        errors["state"] = "Give a state as its two-letter ISO code, e.g. DE."
        return []
    ids = list(Instrument.objects.binding_on(code).values_list("id", flat=True))
    if not ids and not State.objects.filter(code=code).exists():
        errors["state"] = f'No state with code "{code}".'
    return ids


def printable(value):
    """A user's value, safe to quote back in an error message."""
    return clean(value)[:40]
