"""What every resource's serializer shares: links to itself and the model's own validation."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from normsdb.origin import absolute_url


class ModelCleanMixin:
    """Run the model's own validation (field validators, choices, clean()) on API writes,
    so the API accepts exactly what the admin and the import accept."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        values = {k: v for k, v in attrs.items() if k not in m2m}
        # A copy, so a rejected change never lingers on the instance being updated.
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for key, value in values.items():
            setattr(instance, key, value)
        try:
            instance.full_clean(exclude=list(m2m), validate_unique=False)
        except DjangoValidationError as error:
            errors = error.message_dict
            if "__all__" in errors:  # a constraint across fields
                errors["non_field_errors"] = errors.pop("__all__")
            raise serializers.ValidationError(errors) from None
        return attrs


@extend_schema_field(OpenApiTypes.URI)
class ApiLink(serializers.HyperlinkedIdentityField):
    """`url`: the record in the API, absolute on the configured origin (see normsdb.origin)."""

    def get_url(self, obj, view_name, request, format):
        return absolute_url(super().get_url(obj, view_name, None, None))


@extend_schema_field(OpenApiTypes.URI)
class PageLink(serializers.Field):
    """`html_url`: the record's page for people, from its get_absolute_url()."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        kwargs.setdefault("help_text", "This record's page for people.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute_url(value.get_absolute_url())
