"""Pieces shared by the models of both apps."""

from django.db import models
from django.db.models import Q


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
