"""The lexicon respelling draws on (normsdb.models.SearchWord): each alphabetic word of the
search documents, unaccented, with its English stem and the number of documents holding it,
kept exact as documents are added and removed (normsdb.search.documents)."""

from django.db import connection

DOCUMENT_WORDS = """
SELECT DISTINCT d.id, w.word FROM normsdb_searchdocument d,
unnest(tsvector_to_array(to_tsvector('normsdb_exact',
    concat_ws(' ', d.name, d.heading, d.body, d.extra)))) AS w(word)
WHERE %(everything)s OR d.id = ANY(%(ids)s)
"""
WORDS = f"""
INSERT INTO normsdb_searchword (word, stem, documents)
SELECT word, (ts_lexize('english_stem', word))[1], count(*) FROM ({DOCUMENT_WORDS}) words
WHERE word ~ '^[a-z]{{3,40}}$' AND (ts_lexize('english_stem', word))[1] IS NOT NULL
GROUP BY word
ON CONFLICT (word) DO UPDATE SET documents = normsdb_searchword.documents + excluded.documents
"""
UNCOUNT = f"""
UPDATE normsdb_searchword w SET documents = w.documents - gone.n
FROM (SELECT word, count(*) AS n FROM ({DOCUMENT_WORDS}) words GROUP BY word) gone
WHERE w.word = gone.word
"""


def count(ids):
    """Add the words of these documents (None: of every document) to the lexicon."""
    if ids is None or len(ids):
        with connection.cursor() as cursor:
            cursor.execute(WORDS, {"ids": list(ids or []), "everything": ids is None})


def uncount(ids):
    """Take the words of these documents, about to go, out of the lexicon's counts."""
    with connection.cursor() as cursor:
        cursor.execute(UNCOUNT, {"ids": list(ids), "everything": False})
        cursor.execute("DELETE FROM normsdb_searchword WHERE documents <= 0")
