import datetime

from django.contrib import admin

from normsdb.admin import HistoryAdmin
from obligations.models import Obligation, Stance

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


@admin.register(Organization)
class OrganizationAdmin(HistoryAdmin):
    list_display = ["name", "acronym", "slug", "url"]
    search_fields = ["name", "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(State)
class StateAdmin(HistoryAdmin):
    list_display = ["name", "code", "region", "subregion"]
    list_filter = ["region", "subregion"]
    search_fields = ["name", "code"]


class ProvisionInline(admin.TabularInline):
    model = Provision
    fk_name = "instrument"
    fields = ["order", "label", "heading", "parent"]
    autocomplete_fields = ["parent"]
    extra = 0
    show_change_link = True


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ["state", "organization", "status", "signed_on", "consented_on", "note", "source_url"]
    autocomplete_fields = ["state", "organization"]
    extra = 0


class RecordedVoteInline(admin.StackedInline):
    model = RecordedVote
    extra = 0


class StanceInline(admin.TabularInline):
    model = Stance
    fk_name = "position"
    fields = ["question", "stance", "provision", "summary"]
    autocomplete_fields = ["provision"]
    extra = 0


class ObligationInline(admin.TabularInline):
    model = Obligation
    fields = ["slug", "provision", "duty_bearer", "modality", "deadline"]
    autocomplete_fields = ["provision"]
    extra = 0
    show_change_link = True


class RelationInline(admin.TabularInline):
    model = InstrumentRelation
    fk_name = "from_instrument"
    fields = ["kind", "to_instrument", "note"]
    autocomplete_fields = ["to_instrument"]
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(HistoryAdmin):
    list_display = [
        "title",
        "symbol",
        "kind",
        "legal_force",
        "status",
        "organization",
        "adopted_on",
        "last_reviewed_on",
    ]
    list_filter = ["kind", "legal_force", "scope", "status", "organization", "topics"]
    search_fields = ["title", "short_title", "symbol", "slug"]
    list_select_related = ["organization"]
    autocomplete_fields = [
        "organization",
        "topics",
        "author_state",
        "author_organization",
        "binds_members_of",
    ]
    prepopulated_fields = {"slug": ["short_title"]}
    date_hierarchy = "adopted_on"
    inlines = [
        ProvisionInline,
        ObligationInline,
        ParticipationInline,
        RelationInline,
        RecordedVoteInline,
        StanceInline,
    ]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["mark_reviewed"]

    @admin.action(description="Mark facts as reviewed today", permissions=["mark_reviewed"])
    def mark_reviewed(self, request, queryset):
        today = datetime.date.today()
        for instrument in queryset:  # one save each, so every change enters the history
            instrument.last_reviewed_on = today
            instrument.save(update_fields=["last_reviewed_on", "updated_at"])
        self.message_user(request, f"{queryset.count()} instrument(s) marked as reviewed.")

    def has_mark_reviewed_permission(self, request):
        return request.user.has_perm("instruments.mark_reviewed")


@admin.register(Provision)
class ProvisionAdmin(HistoryAdmin):
    list_display = ["label", "heading", "instrument", "order"]
    list_filter = ["instrument__kind"]
    search_fields = ["label", "heading", "instrument__title", "instrument__short_title"]
    list_select_related = ["instrument"]
    autocomplete_fields = ["instrument", "parent"]


@admin.register(Participation)
class ParticipationAdmin(HistoryAdmin):
    list_display = ["participant", "instrument", "status", "signed_on", "consented_on"]
    list_filter = ["status", "instrument"]
    search_fields = [
        "state__name",
        "state__code",
        "organization__name",
        "instrument__title",
        "instrument__short_title",
    ]
    list_select_related = ["state", "organization", "instrument"]
    autocomplete_fields = ["state", "organization", "instrument"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["state", "organization", "joined_on", "left_on"]
    list_filter = ["organization"]
    search_fields = ["state__name", "state__code", "organization__name"]
    list_select_related = ["state", "organization"]
    autocomplete_fields = ["state", "organization"]


@admin.register(Vote)
class VoteAdmin(HistoryAdmin):
    list_display = ["state", "instrument", "vote"]
    list_filter = ["vote", "instrument"]
    search_fields = ["state__name", "state__code", "instrument__symbol", "instrument__title"]
    list_select_related = ["state", "instrument"]
    autocomplete_fields = ["state", "instrument"]


@admin.register(InstrumentRelation)
class InstrumentRelationAdmin(HistoryAdmin):
    list_display = ["from_instrument", "kind", "to_instrument"]
    list_filter = ["kind"]
    search_fields = ["from_instrument__title", "to_instrument__title"]
    list_select_related = ["from_instrument", "to_instrument"]
    autocomplete_fields = ["from_instrument", "to_instrument"]
