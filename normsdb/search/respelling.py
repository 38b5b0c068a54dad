"""Respelling: a word that no document holds, in any form, is replaced by the nearest word
of the lexicon (normsdb.models.SearchWord) when one is close enough.

Close means at most one edit (a letter added, dropped, changed, or two swapped) for a word of
up to six letters, two for a longer one — "critcal" becomes "critical", "atribution"
"attribution", but "COVID" never becomes "cover" (two edits in five letters). A word that
some document holds, stemmed or not, is never respelt, whatever the filters leave. Among
close words the fewest edits win, then the most frequent.
"""

import re

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q

from normsdb.models import SearchWord

CANDIDATES = 12


def allowed_edits(word):
    return 1 if len(word) <= 6 else 2


def edits(a, b, limit):
    """Damerau–Levenshtein distance (adjacent swaps count one), or limit + 1 beyond it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if before and i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[-1]


def unknown_words(query):
    """The query's positive single words (three letters or more) that no document holds."""
    words = {}
    for clause in query.clauses:
        word = clause.text.lower()
        if not clause.negated and len(clause.terms) == 1 and re.fullmatch(r"[a-z]{3,40}", word):
            words[word] = clause.terms[0][1]
    if not words:
        return []
    known = SearchWord.objects.filter(Q(word__in=words) | Q(stem__in=words.values()))
    known = {word for pair in known.values_list("word", "stem") for word in pair}
    return [word for word, stem in words.items() if word not in known and stem not in known]


def nearest(word):
    """The closest known word, or ''."""
    limit = allowed_edits(word)
    candidates = (
        SearchWord.objects.filter(word__trigram_similar=word)
        .annotate(similarity=TrigramSimilarity("word", word))
        .order_by("-similarity", "-documents")
        .values_list("word", "documents")[:CANDIDATES]
    )
    scored = [(edits(word, known, limit), -documents, known) for known, documents in candidates]
    scored = [entry for entry in scored if entry[0] <= limit]
    return min(scored)[2] if scored else ""


def respell(text, query):
    """The text with its unknown words replaced by the nearest known ones, or '' when
    nothing changes."""
    fixes = {word: nearest(word) for word in unknown_words(query)}
    fixes = {word: fix for word, fix in fixes.items() if fix}
    if not fixes:
        return ""
    return re.sub(r"[^\W\d_]+", lambda m: fixes.get(m.group(0).lower(), m.group(0)), text)
