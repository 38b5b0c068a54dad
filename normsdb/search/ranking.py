"""How matches are ordered, in words both backends follow.

Relevance is how well the text holds the query's words (BM25 in Tantivy, ts_rank_cd and
ts_rank in PostgreSQL), plus a bonus for the share of the words in the heading (name, title,
label: weights A and B) and another for how much of the name (short title, code: weight A)
the query is — a title match beats a passing mention, and "budapest" finds the Convention
whose short title it is before the protocols that only mention it. Then two priors multiply
it: the record type (a norm is the standard several instruments share, a response measure
the general answer that actions instantiate, a legal question gathers what every state says
on it, a topic every record on its subject) and authority (a binding instrument's record
before a voluntary one's, other things equal). A citation the resolver understands
(normsdb.search.resolver) comes before everything. The constants were set on the curated
dataset's relevance suite (tests/normsdb/search/test_relevance.py), which both backends pass.

`sort=date` orders by the record's date instead (an instrument's first date, its records'
the same, an incident's start), newest first, undated last.
"""

TYPE_PRIOR = {"norm": 2.0, "response_measure": 1.2, "legal_question": 1.5, "topic": 1.5}
BINDING_PRIOR = 1.2

# Tantivy: BM25 over all the text, plus a total shared among the query's words that the
# heading holds (a heading with all of them adds HEADING_BOOST), plus BM25 over the name
# times NAME_BOOST (the shorter the name holding the words, the more).
HEADING_BOOST = 10.0
NAME_BOOST = 2.0

# PostgreSQL: mostly ts_rank_cd (how close together the words are), partly ts_rank (how often
# they occur), each divided by 1 + log(length) and scaled to 0..1; plus a total shared among
# the query's words that the heading holds, plus NAME_SHARE times the share of the name's
# words that the query holds.
COVER_DENSITY = 0.7
NORMALIZATION = 1 | 32
HEADING_SHARE = 0.2
NAME_SHARE = 0.4

PINNED = 1e6  # the score that puts a resolved citation first


def prior(kind, legal_force=""):
    """The multiplier of a record's relevance."""
    return TYPE_PRIOR.get(kind, 1.0) * (BINDING_PRIOR if legal_force == "binding" else 1.0)


def tantivy_weight(value):
    """Tantivy multiplies a score by log2(2 + weight): the weight that multiplies by `value`."""
    return 2.0**value - 2.0
