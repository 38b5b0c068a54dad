"""What the user typed, as a query both backends run the same way.

The words are read as a web search engine reads them: `"a phrase"`, `-excluded`, `this or
that`; `or` binds more loosely than the implicit `and` between words, as in PostgreSQL's
websearch_to_tsquery. Each word or phrase is then analysed by the database with the very
configuration the documents were analysed with (`normsdb`: unaccent, English stems, stop
words; normsdb/migrations/0008), in one statement for the whole query, so a query term is
always a lexeme the documents can hold.

A single word of four letters or fewer is matched unstemmed, in its exact form or with a
plural s: "care" finds "care" and "cares", not "carefully", whose stem is also "care". The
documents hold such words marked "=" beside their stems.

A Query renders itself as a tsquery (the postgres backend casts it, as data, never as SQL)
and the Tantivy backend builds the same tree from `groups`.
"""

import re
from dataclasses import dataclass, field

from django.db import connection

MAX_QUERY_LENGTH = 200
SHORT_WORD = 4
TOKENS = re.compile(r'(-?)"([^"]*)"?|(\S+)')
LEXEME = re.compile(r"'((?:[^']|'')*)'(?::([\d,A-D]+))?")


@dataclass(frozen=True)
class Clause:
    """A word or phrase of the query: its lexemes at their offsets, or, for a short word,
    the exact forms any of which matches."""

    text: str
    terms: tuple = ()  # ((offset, lexeme), …)
    exact: tuple = ()  # ("=care", "=cares")
    negated: bool = False

    @property
    def lexemes(self):
        return self.exact or tuple(lexeme for _offset, lexeme in self.terms)

    def tsquery(self):
        if self.exact:
            text = "(" + " | ".join(quote(form) for form in self.exact) + ")"
        else:
            text, previous = quote(self.terms[0][1]), self.terms[0][0]
            for offset, lexeme in self.terms[1:]:
                distance = offset - previous
                text += (" <-> " if distance == 1 else f" <{distance}> ") + quote(lexeme)
                previous = offset
            if len(self.terms) > 1:
                text = f"({text})"
        return f"!{text}" if self.negated else text


@dataclass
class Query:
    text: str
    groups: list = field(default_factory=list)  # [[Clause, …], …]: any group, all clauses
    prefix: str = ""  # instead of words: headings with a word starting so ("budap")

    @property
    def clauses(self):
        return [clause for group in self.groups for clause in group]

    @property
    def words(self):
        """The positive words as typed, for respelling."""
        return [clause.text for clause in self.clauses if not clause.negated]

    def positive_lexemes(self):
        """Every lexeme a matching document may hold, for the heading and name bonus."""
        seen = {}
        for clause in self.clauses:
            if not clause.negated:
                seen.update(dict.fromkeys(clause.lexemes))
        return list(seen)

    def tsquery(self):
        """The query as tsquery text, over the documents' lexemes."""
        if self.prefix:
            return quote(self.prefix) + ":*AB"
        return " | ".join(" & ".join(c.tsquery() for c in group) for group in self.groups)

    def any_tsquery(self):
        """Any of the positive lexemes: what the heading and name bonus counts."""
        return " | ".join(quote(lexeme) for lexeme in self.positive_lexemes()) or self.tsquery()

    def headline_tsquery(self):
        """The positive words' stems, for highlighting the passage (a short word is
        highlighted in any form: the passage is analysed with stems only)."""
        if self.prefix:
            return quote(self.prefix) + ":*"
        lexemes = dict.fromkeys(
            lexeme for c in self.clauses if not c.negated for _offset, lexeme in c.terms
        )
        return " | ".join(quote(lexeme) for lexeme in lexemes) or self.tsquery()

    def __bool__(self):
        return bool(self.groups or self.prefix)


def quote(lexeme):
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def clean(text):
    """Drop control characters (NUL breaks the driver), squeeze spaces, cap the length."""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def read(text):
    """The query's parts before analysis: [[(text, negated, quoted), …], …]."""
    groups, group = [], []
    for match in TOKENS.finditer(text):
        sign, phrase, word = match.groups()
        if word is not None and word.lower() == "or":
            if group:
                groups.append(group)
            group = []
            continue
        if word is not None:
            sign, word = ("-", word[1:]) if word.startswith("-") and len(word) > 1 else ("", word)
            group.append((word.replace('"', " "), bool(sign), False))
        else:
            group.append((phrase, bool(sign), True))
    if group:
        groups.append(group)
    return groups


ANALYSE = """
SELECT to_tsvector('normsdb', part)::text, to_tsvector('normsdb_exact', part)::text
FROM unnest(%s::text[]) WITH ORDINALITY AS parts(part, n) ORDER BY n
"""


def positions(vector_text):
    """[(position, lexeme)] of a tsvector's text, in word order."""
    found = []
    for lexeme, where in LEXEME.findall(vector_text):
        for position in (where or "1").split(","):
            found.append((int(position.rstrip("ABCD")), lexeme.replace("''", "'")))
    return sorted(found)


def parse(text):
    """The Query for the cleaned text; words that analyse to nothing (stop words, operator
    characters) are dropped, and a group left empty goes."""
    parts = read(text)
    flat = [part for group in parts for part in group]
    if not flat:
        return Query(text=text)
    with connection.cursor() as cursor:
        cursor.execute(ANALYSE, [[part for part, _negated, _quoted in flat]])
        analysed = iter(cursor.fetchall())
    groups = []
    for group in parts:
        clauses = []
        for part, negated, quoted in group:
            stems, exact = next(analysed)
            terms = positions(stems)
            if not terms:
                continue
            first = terms[0][0]
            terms = tuple((position - first, lexeme) for position, lexeme in terms)
            forms = ()
            word = positions(exact)
            if not quoted and len(terms) == 1 and len(word) == 1 and is_short(word[0][1]):
                forms = exact_forms(word[0][1])
            clauses.append(Clause(text=part, terms=terms, exact=forms, negated=negated))
        if clauses:
            groups.append(clauses)
    return Query(text=text, groups=groups)


def exact_forms(word):
    """A short word and its plural: "care", "cares"; "tax", "taxs", "taxes"."""
    endings = ("", "s", "es") if word[-1] in "sxzh" else ("", "s")
    return tuple(f"={word}{ending}" for ending in endings)


def is_short(word):
    return len(word) <= SHORT_WORD and word.isalpha()


def prefix_query(text):
    """A single word that found nothing, as the start of a word of a heading or name."""
    word = text.strip().lower()
    if re.fullmatch(r"[^\W\d_]{3,40}", word):
        return Query(text=text, prefix=word)
    return None


def has_words(text):
    return bool(re.search(r"\w", text))
