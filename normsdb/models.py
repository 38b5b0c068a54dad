"""Pieces shared by the models of both apps, and the site's own tables: saved searches, the
search documents of the postgres search backend, and the data versions of the page cache."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

LONG_TEXT_MAX = 10_000


class LongTextField(models.TextField):
    """A record's free text (summary, statement, note), at most 10,000 characters: twenty
    times the longest summary in the curated data, far below what search can index (a
    tsvector holds 1 MB). Checked by the model, so the admin, the API (a 400 naming the field)
    and the import refuse the same."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", LONG_TEXT_MAX)
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))


class TimeStamped(models.Model):
    """Creation and last-change times: for `updated_since`, Last-Modified and "recently changed"."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def enum_check(prefix: str, field: str, choices) -> models.CheckConstraint:
    """A database check that `field` holds one of the `TextChoices` values.

    Forms and serializers validate choices too, but only the database stops a bad value
    written by raw SQL, a bulk update or a future bug.
    """
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"{prefix}_{field}_valid",
        violation_error_message=f"{field} must be one of: {', '.join(choices.values)}.",
    )


class TaggedQuerySet(models.QuerySet):
    """Records tagged with topics: `for_topic` includes the topic's descendants."""

    topic_field = "topics"

    def for_topic(self, topic):
        from obligations.models import Topic

        through = self.model._meta.get_field(self.topic_field).remote_field.through
        owner = self.model._meta.get_field(self.topic_field).m2m_field_name() + "_id"
        return self.filter(
            Exists(
                through.objects.filter(
                    **{owner: OuterRef("pk")}, topic__in=Topic.objects.subtree(topic)
                )
            )
        )


class DataVersion(models.Model):
    """How many committed changes each kind of record has seen.

    Database triggers (migration 0006) bump a kind's version in the same transaction as the
    change, so a version moves only when data really changed and was committed; the page
    cache keys each page by the versions of the kinds it shows (normsdb.pagecache).
    """

    kind = models.CharField(max_length=60, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return f"{self.kind} v{self.version}"


class SavedSearch(models.Model):
    """A search a signed-in user follows: `manage.py send_alerts` e-mails its new matches."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=120)
    query = models.CharField(
        max_length=1000, help_text="The search page's query string: q=…&type=…"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    seen = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="The matches already reported, as type:key.",
    )

    class Meta:
        ordering = ["user", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "query"], name="saved_search_unique_query")
        ]

    def __str__(self):
        return self.name


class SearchDocument(models.Model):
    """One searchable record, as both search backends read it (normsdb.search.documents):
    what a hit shows, the analysed text, and the values the filters and facets use.

    `vector` is built by the database function `normsdb_search_vector` (migration 0008): the
    English stems of name (weight A), heading (B), body (C) and extra (D), plus each word of
    six letters or fewer unstemmed, marked "=" ("=care"), at the same positions. The Tantivy
    backend indexes exactly these lexemes, so both backends match the same records.
    """

    type = models.CharField(max_length=20)
    record_id = models.CharField(max_length=40, help_text="The record's primary key.")
    key = models.CharField(max_length=200, help_text="Slug, state code or id, as the API has it.")
    title = models.TextField(help_text="As a hit shows it.")
    url = models.CharField(max_length=500, help_text="The record's page (with its anchor).")
    name = models.TextField(blank=True, help_text="Short title, code, alias: weight A.")
    heading = models.TextField(blank=True, help_text="Title, heading, label: weight B.")
    body = models.TextField(blank=True, help_text="Summary or statement: weight C.")
    extra = models.TextField(blank=True, help_text="Anything else worth finding: weight D.")
    vector = SearchVectorField()
    legal_force = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    modality = models.CharField(max_length=12, blank=True)
    duty_bearer = models.CharField(max_length=30, blank=True)
    instrument_id = models.BigIntegerField(null=True)
    instrument_slug = models.CharField(max_length=120, blank=True)
    instrument_title = models.CharField(max_length=500, blank=True)
    topic_ids = ArrayField(models.BigIntegerField(), default=list)
    root_topics = ArrayField(models.CharField(max_length=80), default=list)
    date = models.DateField(null=True)
    prior = models.FloatField(default=1.0, help_text="Multiplies the relevance (see ranking).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "record_id"], name="search_document_unique")
        ]
        indexes = [
            GinIndex(fields=["vector"], name="search_document_vector"),
            GinIndex(fields=["topic_ids"], name="search_document_topics"),
            models.Index(fields=["type"]),
            models.Index(fields=["instrument_id"]),
            models.Index(fields=["date"]),
        ]

    def __str__(self):
        return f"{self.type}:{self.key}"


class SearchWord(models.Model):
    """A word of the indexed text with the number of documents holding it: the lexicon that
    respelling picks the nearest known word from (normsdb.search.respelling)."""

    word = models.CharField(max_length=100, primary_key=True)
    stem = models.CharField(max_length=100)
    documents = models.IntegerField()

    class Meta:
        indexes = [
            GinIndex(name="search_word_trgm", fields=["word"], opclasses=["gin_trgm_ops"]),
            models.Index(fields=["stem"]),
        ]

    def __str__(self):
        return self.word
