"""How matches are ordered, in words both backends follow.

Relevance is how well the text holds the query's words, plus a bonus for the words in the
heading (title, label: weight B) and a larger one for those in the name (short title, code:
weight A) — a title match beats a passing mention, and "budapest" finds the Convention whose
short title it is before the protocols that only mention it. Then two priors multiply it:
the record type (a norm is the standard several instruments share; a provision usually
repeats its obligations) and authority (a binding instrument's record before a voluntary
one's, other things equal). A citation the resolver understands (normsdb.search.resolver)
comes before everything.

`sort=date` orders by the record's date instead (an instrument's first date, its records'
the same, an incident's start), newest first, undated last.
"""

TYPE_PRIOR = {"norm": 1.5, "provision": 0.8}
BINDING_PRIOR = 1.2

# Tantivy: BM25 over all the text, plus these multiples of BM25 over the heading and the
# name for the query's words.
HEADING_BOOST = 1.0
NAME_BOOST = 3.0

# PostgreSQL: ts_rank_cd over all the text (normalised by length, scaled to 0..1), plus these
# shares of ts_rank over the heading and the name for any of the query's words.
HEADING_SHARE = 0.5
NAME_SHARE = 1.0

PINNED = 1e6  # the score that puts a resolved citation first


def prior(kind, legal_force=""):
    """The multiplier of a record's relevance."""
    return TYPE_PRIOR.get(kind, 1.0) * (BINDING_PRIOR if legal_force == "binding" else 1.0)


def tantivy_weight(value):
    """Tantivy multiplies a score by log2(2 + weight): the weight that multiplies by `value`."""
    return 2.0**value - 2.0
