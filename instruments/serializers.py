from collections import Counter

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from normsdb.api.serializers import ApiLink, ModelCleanMixin, PageLink
from obligations.models import Topic

from .models import (
    Instrument,
    InstrumentRelation,
    Membership,
    Organization,
    Participation,
    Provision,
    RecordedVote,
    State,
    Vote,
)


class OrganizationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    url = ApiLink(view_name="api:organization-detail", lookup_field="slug")
    html_url = PageLink()
    website = serializers.URLField(source="url", required=False, allow_blank=True)

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "acronym",
            "website",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class StateSerializer(ModelCleanMixin, serializers.ModelSerializer):
    url = ApiLink(view_name="api:state-detail", lookup_field="code")
    html_url = PageLink()

    class Meta:
        model = State
        fields = [
            "code",
            "name",
            "region",
            "subregion",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


@extend_schema_field(
    {
        "type": "object",
        "description": "A provision, named by its instrument and its label.",
        "properties": {
            "instrument": {"type": "string", "description": "Instrument slug."},
            "provision": {"type": "string", "description": "Provision label (Art. 29)."},
        },
        "required": ["instrument", "provision"],
    }
)
class ProvisionRefField(serializers.RelatedField):
    """A provision as {"instrument": slug, "provision": label}."""

    csv_columns = ["instrument", "provision"]
    default_error_messages = {
        "invalid": 'Give {{"instrument": slug, "provision": label}}.',
        "unknown": 'No provision "{label}" in instrument "{instrument}".',
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Provision.objects.select_related("instrument"))
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {"instrument": value.instrument.slug, "provision": value.label}

    def to_internal_value(self, data):
        if (
            not isinstance(data, dict)
            or set(data) != {"instrument", "provision"}
            or not all(isinstance(value, str) for value in data.values())
        ):
            self.fail("invalid")
        found = (
            self.get_queryset()
            .filter(instrument__slug=data["instrument"], label=data["provision"])
            .first()
        )
        if found is None:
            self.fail("unknown", label=data["provision"], instrument=data["instrument"])
        return found


class ProvisionSerializer(ModelCleanMixin, serializers.ModelSerializer):
    url = ApiLink(view_name="api:provision-detail")
    html_url = PageLink()
    instrument = serializers.SlugRelatedField(slug_field="slug", queryset=Instrument.objects.all())
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Provision.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of the enclosing provision.",
    )

    class Meta:
        model = Provision
        fields = [
            "id",
            "instrument",
            "label",
            "heading",
            "summary",
            "order",
            "parent",
            "source_url",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class NestedProvisionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="label", read_only=True, allow_null=True)

    class Meta:
        model = Provision
        fields = ["id", "label", "heading", "summary", "order", "parent", "source_url"]


class ParticipationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A state's or an organisation's standing towards an instrument: give exactly one."""

    url = ApiLink(view_name="api:participation-detail")
    html_url = PageLink()
    state = serializers.SlugRelatedField(
        slug_field="code", queryset=State.objects.all(), required=False, allow_null=True
    )
    organization = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all(), required=False, allow_null=True
    )
    instrument = serializers.SlugRelatedField(slug_field="slug", queryset=Instrument.objects.all())

    class Meta:
        model = Participation
        fields = [
            "id",
            "state",
            "organization",
            "instrument",
            "status",
            "signed_on",
            "consented_on",
            "note",
            "source_url",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class MembershipSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:membership-detail")
    html_url = PageLink()
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "organization",
            "state",
            "joined_on",
            "left_on",
            "source_url",
            "url",
            "html_url",
            "updated_at",
        ]


class VoteSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:vote-detail")
    html_url = PageLink()
    instrument = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    symbol = serializers.CharField(source="instrument.symbol", read_only=True)
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    source_url = serializers.URLField(
        source="instrument.recorded_vote.source_url",
        read_only=True,
        help_text="The voting record: one for every state's vote on the resolution.",
    )

    class Meta:
        model = Vote
        fields = [
            "id",
            "instrument",
            "symbol",
            "state",
            "vote",
            "source_url",
            "url",
            "html_url",
            "updated_at",
        ]


class RecordedVoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecordedVote
        fields = ["date", "meeting", "in_favour", "against", "abstaining", "source_url"]


# The fields an instrument shows in lists and in detail alike.
INSTRUMENT_FACTS = [
    "slug",
    "title",
    "short_title",
    "symbol",
    "kind",
    "legal_force",
    "scope",
    "status",
    "organization",
    "organization_name",
    "region",
    "adopted_on",
    "opened_for_signature_on",
    "entered_into_force_on",
]


class InstrumentListSerializer(serializers.ModelSerializer):
    url = ApiLink(view_name="api:instrument-detail", lookup_field="slug")
    html_url = PageLink()
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, allow_null=True
    )
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = [*INSTRUMENT_FACTS, "topics", "url", "html_url", "updated_at"]


class InstrumentSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """An instrument with what a client needs in one call: provisions, participation counts
    by status, and relations in both directions."""

    url = ApiLink(view_name="api:instrument-detail", lookup_field="slug")
    html_url = PageLink()
    organization = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all(), required=False, allow_null=True
    )
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, allow_null=True
    )
    topics = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Topic.objects.all(), required=False
    )
    provisions = NestedProvisionSerializer(many=True, read_only=True)
    participation_counts = serializers.SerializerMethodField()
    relations = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField(
        help_text="For a position: the state code or organisation slug whose view it is."
    )
    binds_members_of = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text="Binds the member states of this organisation through their membership.",
    )
    recorded_vote = RecordedVoteSerializer(read_only=True, allow_null=True)
    vote_counts = serializers.SerializerMethodField(
        help_text="Votes recorded state by state (yes, no, abstain, absent)."
    )

    class Meta:
        model = Instrument
        fields = [
            *INSTRUMENT_FACTS,
            "summary",
            "source_url",
            "topics",
            "last_reviewed_on",
            "author",
            "binds_members_of",
            "adopted_without_vote",
            "recorded_vote",
            "vote_counts",
            "provisions",
            "participation_counts",
            "relations",
            "url",
            "html_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_participation_counts(self, obj) -> dict[str, int]:
        return dict(Counter(p.status for p in obj.participations.all()))

    def get_author(self, obj) -> str | None:
        if obj.author_state_id:
            return obj.author_state_id
        return obj.author_organization.slug if obj.author_organization_id else None

    def get_vote_counts(self, obj) -> dict[str, int]:
        return dict(Counter(v.vote for v in obj.votes.all()))

    def get_relations(self, obj) -> list[dict]:
        out = [
            {
                "direction": "outgoing",
                "kind": r.kind,
                "label": r.get_kind_display(),
                "instrument": r.to_instrument.slug,
                "note": r.note,
            }
            for r in obj.relations_from.all()
        ] + [
            {
                "direction": "incoming",
                "kind": r.kind,
                "label": r.inverse_label,
                "instrument": r.from_instrument.slug,
                "note": r.note,
            }
            for r in obj.relations_to.all()
        ]
        return out


class RelationSerializer(serializers.ModelSerializer):
    from_instrument = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    to_instrument = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = InstrumentRelation
        fields = ["from_instrument", "kind", "to_instrument", "note"]
