from rest_framework import serializers

from instruments.models import Instrument
from instruments.serializers import ProvisionRefField
from normsdb.api.serializers import ApiLink, ModelCleanMixin, PageLink

from .models import (
    AllegedBreach,
    Attribution,
    Incident,
    LegalQuestion,
    Norm,
    Obligation,
    ResponseAction,
    ResponseMeasure,
    Stance,
    Topic,
)


class TopicSerializer(ModelCleanMixin, serializers.ModelSerializer):
    url = ApiLink(view_name="api:topic-detail", lookup_field="slug")
    html_url = PageLink()
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Topic.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Topic
        fields = [
            "slug",
            "name",
            "description",
            "parent",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class InstrumentBriefSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:instrument-detail", lookup_field="slug")
    html_url = PageLink()

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "title",
            "short_title",
            "symbol",
            "legal_force",
            "kind",
            "status",
            "adopted_on",
            "url",
            "html_url",
        ]


class NormListSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:norm-detail", lookup_field="slug")
    html_url = PageLink()
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Norm
        fields = ["slug", "code", "title", "topics", "url", "html_url", "updated_at"]


class NormSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A norm with the instruments that articulate it (derived through its obligations)."""

    url = ApiLink(view_name="api:norm-detail", lookup_field="slug")
    html_url = PageLink()
    topics = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Topic.objects.all(), required=False
    )
    instruments = serializers.SerializerMethodField(
        help_text="Instruments with an obligation linked to this norm, oldest first."
    )
    obligations = serializers.SerializerMethodField()
    response_measures = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Norm
        fields = [
            "slug",
            "code",
            "title",
            "statement",
            "topics",
            "instruments",
            "obligations",
            "response_measures",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_instruments(self, obj) -> list[dict]:
        found = {}
        for obligation in obj.obligations.all():
            entry = found.setdefault(
                obligation.instrument_id,
                {
                    **InstrumentBriefSerializer(obligation.instrument, context=self.context).data,
                    "modalities": set(),
                },
            )
            entry["modalities"].add(obligation.modality)
        instruments = sorted(
            found.values(), key=lambda i: (i["adopted_on"] is None, i["adopted_on"] or "")
        )
        for entry in instruments:
            entry["modalities"] = sorted(entry["modalities"])
        return instruments

    def get_obligations(self, obj) -> list[str]:
        return sorted(o.slug for o in obj.obligations.all())


class ObligationListSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:obligation-detail", lookup_field="slug")
    html_url = PageLink()
    instrument = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    provision = ProvisionRefField(read_only=True, allow_null=True)
    legal_force = serializers.CharField(source="instrument.legal_force", read_only=True)
    norms = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Obligation
        fields = [
            "slug",
            "instrument",
            "provision",
            "legal_force",
            "duty_bearer",
            "modality",
            "summary",
            "deadline",
            "deadline_trigger",
            "norms",
            "topics",
            "url",
            "html_url",
            "updated_at",
        ]


class ObligationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    url = ApiLink(view_name="api:obligation-detail", lookup_field="slug")
    html_url = PageLink()
    instrument = serializers.SlugRelatedField(slug_field="slug", queryset=Instrument.objects.all())
    provision = ProvisionRefField(required=False, allow_null=True)
    instrument_detail = InstrumentBriefSerializer(source="instrument", read_only=True)
    provision_heading = serializers.CharField(
        source="provision.heading", read_only=True, default=""
    )
    legal_force = serializers.CharField(source="instrument.legal_force", read_only=True)
    deadline_in_words = serializers.CharField(read_only=True)
    norms = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Norm.objects.all(), required=False
    )
    topics = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Topic.objects.all(), required=False
    )

    class Meta:
        model = Obligation
        fields = [
            "slug",
            "instrument",
            "instrument_detail",
            "provision",
            "provision_heading",
            "legal_force",
            "duty_bearer",
            "modality",
            "summary",
            "deadline",
            "deadline_trigger",
            "deadline_in_words",
            "verification",
            "norms",
            "topics",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instrument = attrs.get("instrument") or (self.instance and self.instance.instrument)
        provision = attrs.get("provision")
        if provision is not None and provision.instrument_id != instrument.pk:
            raise serializers.ValidationError(
                {"provision": "The provision must belong to the obligation's instrument."}
            )
        return attrs


class ResponseMeasureSerializer(ModelCleanMixin, serializers.ModelSerializer):
    url = ApiLink(view_name="api:response-measure-detail", lookup_field="slug")
    html_url = PageLink()
    legal_basis = ProvisionRefField(many=True, required=False)
    responds_to = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Norm.objects.all(), required=False
    )
    escalation_level_label = serializers.CharField(
        source="get_escalation_level_display", read_only=True
    )

    class Meta:
        model = ResponseMeasure
        fields = [
            "slug",
            "name",
            "category",
            "escalation_level",
            "escalation_level_label",
            "description",
            "legal_basis",
            "responds_to",
            "attribution_threshold",
            "reversible",
            "conditions",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


def actor(state, organization):
    return state.code if state else organization.slug


class AttributionSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:attribution-detail")
    html_url = PageLink()
    incident = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    by = serializers.SerializerMethodField(help_text="State code or organisation slug.")
    to_states = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    joint_with = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    is_joint = serializers.SerializerMethodField()

    class Meta:
        model = Attribution
        fields = [
            "id",
            "incident",
            "by",
            "date",
            "confidence",
            "basis",
            "to_states",
            "to_group",
            "joint_with",
            "is_joint",
            "summary",
            "source_url",
            "url",
            "html_url",
            "updated_at",
        ]

    def get_by(self, obj) -> str:
        return actor(obj.by_state, obj.by_organization)

    def get_is_joint(self, obj) -> bool:
        return bool(obj.joint_with.all())


class ResponseActionSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:response-action-detail")
    html_url = PageLink()
    incident = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    measure = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category = serializers.CharField(source="measure.category", read_only=True)
    escalation_level = serializers.IntegerField(source="measure.escalation_level", read_only=True)
    by = serializers.SerializerMethodField(help_text="State codes and organisation slugs.")
    legal_basis = ProvisionRefField(read_only=True, allow_null=True)

    class Meta:
        model = ResponseAction
        fields = [
            "id",
            "incident",
            "measure",
            "category",
            "escalation_level",
            "date",
            "by",
            "description",
            "legal_basis",
            "source_url",
            "url",
            "html_url",
            "updated_at",
        ]

    def get_by(self, obj) -> list[str]:
        return sorted(
            [s.code for s in obj.by_states.all()] + [o.slug for o in obj.by_organizations.all()]
        )


class BreachSerializer(serializers.ModelSerializer):
    norm = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    alleged_by = serializers.SerializerMethodField()

    class Meta:
        model = AllegedBreach
        fields = ["norm", "alleged_by", "source_url"]

    def get_alleged_by(self, obj) -> list[str]:
        return sorted(
            [s.code for s in obj.alleged_by_states.all()]
            + [o.slug for o in obj.alleged_by_organizations.all()]
        )


class IncidentListSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:incident-detail", lookup_field="slug")
    html_url = PageLink()
    victims = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "slug",
            "name",
            "aliases",
            "operation_type",
            "started_on",
            "started_on_precision",
            "start_unknown",
            "ended_on",
            "ended_on_precision",
            "disclosed_on",
            "victims",
            "sectors",
            "url",
            "html_url",
            "updated_at",
        ]


class IncidentSerializer(IncidentListSerializer):
    attributions = AttributionSerializer(many=True, read_only=True)
    breaches = BreachSerializer(many=True, read_only=True)
    responses = ResponseActionSerializer(many=True, read_only=True)

    class Meta(IncidentListSerializer.Meta):
        fields = [
            *IncidentListSerializer.Meta.fields[:-3],
            "summary",
            "sources",
            "attributions",
            "breaches",
            "responses",
            "url",
            "html_url",
            "updated_at",
        ]


class LegalQuestionSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:legal-question-detail", lookup_field="slug")
    html_url = PageLink()

    class Meta:
        model = LegalQuestion
        fields = ["slug", "name", "description", "order", "url", "html_url", "updated_at"]


class StanceSerializer(serializers.ModelSerializer):
    """What one national (or common) position says on one legal question."""

    url = ApiLink(view_name="api:stance-detail")
    html_url = PageLink()
    position = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = serializers.SerializerMethodField(help_text="State code or organisation slug.")
    author_name = serializers.SerializerMethodField()
    question = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    provision = ProvisionRefField(read_only=True, allow_null=True)
    position_date = serializers.DateField(source="position.adopted_on", read_only=True)

    class Meta:
        model = Stance
        fields = [
            "id",
            "position",
            "author",
            "author_name",
            "position_date",
            "question",
            "stance",
            "provision",
            "summary",
            "url",
            "html_url",
            "updated_at",
        ]

    def get_author(self, obj) -> str | None:
        position = obj.position
        if position.author_state_id:
            return position.author_state_id
        return position.author_organization.slug if position.author_organization_id else None

    def get_author_name(self, obj) -> str:
        author = obj.position.author
        return author.name if author else ""
