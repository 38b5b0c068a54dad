"""A record's change history, from django-simple-history, as the API serves it."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

HISTORY = inline_serializer(
    "History",
    {
        "results": inline_serializer(
            "HistoryEntry",
            {
                "date": serializers.DateTimeField(help_text="When the change was saved."),
                "user": serializers.CharField(
                    allow_null=True,
                    help_text="Who saved it, for signed-in staff; empty otherwise and for imports.",
                ),
                "type": serializers.ChoiceField(
                    choices=[
                        ("created", "The record was created."),
                        ("changed", "Fields of the record changed."),
                        ("deleted", "The record was deleted."),
                    ],
                    help_text="What happened.",
                ),
                "reason": serializers.CharField(help_text="The reason given, if any."),
                "changes": inline_serializer(
                    "HistoryChange",
                    {
                        "field": serializers.CharField(help_text="Field name."),
                        "old": serializers.JSONField(help_text="Value before."),
                        "new": serializers.JSONField(help_text="Value after."),
                    },
                    many=True,
                    help_text="For changes: each changed field.",
                ),
            },
            many=True,
        )
    },
)


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def history_entries(instance, *, show_users=False, limit=100):
    """Versions newest first, each with the fields it changed. Who made a change is for
    staff eyes: the public sees when and what, not which editor."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        entry = {
            "date": record.history_date,
            "user": record.history_user.get_username()
            if show_users and record.history_user
            else None,
            "type": HISTORY_TYPES.get(record.history_type, record.history_type),
            "reason": record.history_change_reason or "",
            "changes": [],
        }
        previous = records[index + 1] if index + 1 < len(records) else None
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            entry["changes"] = [
                {"field": change.field, "old": change.old, "new": change.new}
                for change in delta.changes
                if change.field != "updated_at"
            ]
        entries.append(entry)
    return entries
