"""Single edits (admin, API) reach the search when their transaction commits.

The receivers only note which records changed; on commit `flush` rewrites those records'
documents and updates the index, together with the documents that show them: an
instrument's provisions and obligations (they carry its title, legal force and date), a
provision's obligations (their title is its label and heading). Bulk writes that send no
signals (the dataset import, raw SQL) call normsdb.search.reindex() instead.

A topic moved in the tree changes the top-level topic of the records tagged below it (their
facet) and, in the Tantivy index, the ancestors their topic filter matches: every record
tagged in the moved subtree is rewritten too.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from instruments.models import Instrument, Provision
from normsdb.models import SearchDocument
from obligations.models import Incident, Norm, Obligation, Topic

from .documents import SOURCES

pending = {}  # {type: {primary key}} changed since the last flush
TAGGED = {
    Instrument.topics.through: "instrument",
    Obligation.topics.through: "obligation",
    Norm.topics.through: "norm",
    Incident.sectors.through: "incident",
}


def changed(kind, pk):
    pending.setdefault(kind, set()).add(pk)
    # One callback per change; the first to run takes them all. A rolled-back
    # transaction's callbacks never run, and its records are rewritten as they are.
    transaction.on_commit(flush)


def flush():
    from . import engine, settings_backend_is_tantivy
    from .documents import write

    if not pending:
        return
    changes = {kind: set(pks) for kind, pks in pending.items()}
    pending.clear()
    instruments = changes.get("instrument", set())
    if instruments:
        changes.setdefault("provision", set()).update(
            Provision.objects.filter(instrument__in=instruments).values_list("pk", flat=True)
        )
        changes.setdefault("obligation", set()).update(
            Obligation.objects.filter(instrument__in=instruments).values_list("pk", flat=True)
        )
    if changes.get("provision"):
        changes.setdefault("obligation", set()).update(
            Obligation.objects.filter(provision__in=changes["provision"]).values_list(
                "pk", flat=True
            )
        )
    with transaction.atomic():
        removed, added = write(changes)  # a deleted record's document goes too
    if settings_backend_is_tantivy():
        engine.update(removed, added)


def saved(sender, instance, **kwargs):
    changed(KINDS[sender], instance.pk)


def topic_moving(sender, instance, **kwargs):
    old = Topic.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
    instance._search_moved = instance.pk is not None and old != instance.parent_id


def topic_moved(sender, instance, created, **kwargs):
    if created or not getattr(instance, "_search_moved", False):
        return
    subtree = list(Topic.objects.subtree(instance).values_list("id", flat=True))
    tagged = SearchDocument.objects.filter(topic_ids__overlap=subtree)
    for kind, record_id in tagged.values_list("type", "record_id").iterator():
        changed(kind, record_id)


def tagged(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    kind = TAGGED[sender]
    if not reverse:
        changed(kind, instance.pk)
    else:
        for pk in pk_set or ():
            changed(kind, pk)


KINDS = {model: kind for kind, (model, _build) in SOURCES.items()}


def connect():
    for model in KINDS:
        post_save.connect(saved, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(saved, sender=model, dispatch_uid=f"search-delete-{model.__name__}")
    pre_save.connect(topic_moving, sender=Topic, dispatch_uid="search-topic-moving")
    post_save.connect(topic_moved, sender=Topic, dispatch_uid="search-topic-moved")
    for through in TAGGED:
        m2m_changed.connect(tagged, sender=through, dispatch_uid=f"search-tags-{through.__name__}")
