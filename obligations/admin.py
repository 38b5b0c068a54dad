from django.contrib import admin

from normsdb.admin import HistoryAdmin

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


@admin.register(Topic)
class TopicAdmin(HistoryAdmin):
    list_display = ["name", "slug", "parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Norm)
class NormAdmin(HistoryAdmin):
    list_display = ["title", "code", "slug"]
    list_filter = ["topics"]
    search_fields = ["title", "code", "slug", "statement"]
    autocomplete_fields = ["topics"]


@admin.register(Obligation)
class ObligationAdmin(HistoryAdmin):
    list_display = ["slug", "instrument", "provision", "duty_bearer", "modality", "deadline"]
    list_filter = ["modality", "duty_bearer", "instrument__legal_force", "topics"]
    search_fields = ["slug", "summary", "instrument__title", "instrument__short_title"]
    list_select_related = ["instrument", "provision__instrument"]
    autocomplete_fields = ["instrument", "provision", "norms", "topics"]


@admin.register(ResponseMeasure)
class ResponseMeasureAdmin(HistoryAdmin):
    list_display = ["name", "escalation_level", "category", "attribution_threshold", "reversible"]
    list_filter = ["escalation_level", "category", "attribution_threshold"]
    search_fields = ["name", "slug", "description"]
    autocomplete_fields = ["legal_basis", "responds_to"]


class AttributionInline(admin.StackedInline):
    model = Attribution
    fields = [
        "date",
        "by_state",
        "by_organization",
        "to_states",
        "to_group",
        "confidence",
        "basis",
        "joint_with",
        "source_url",
    ]
    autocomplete_fields = ["by_state", "by_organization", "to_states", "joint_with"]
    extra = 0


class AllegedBreachInline(admin.TabularInline):
    model = AllegedBreach
    fields = ["norm", "alleged_by_states", "alleged_by_organizations", "source_url"]
    autocomplete_fields = ["norm", "alleged_by_states", "alleged_by_organizations"]
    extra = 0


class ResponseActionInline(admin.StackedInline):
    model = ResponseAction
    fields = [
        "date",
        "measure",
        "by_states",
        "by_organizations",
        "description",
        "legal_basis",
        "source_url",
    ]
    autocomplete_fields = ["measure", "by_states", "by_organizations", "legal_basis"]
    extra = 0


@admin.register(Incident)
class IncidentAdmin(HistoryAdmin):
    list_display = ["name", "operation_type", "started_on", "disclosed_on"]
    list_filter = ["operation_type", "sectors"]
    search_fields = ["name", "slug", "summary"]
    autocomplete_fields = ["victims", "sectors"]
    inlines = [AttributionInline, AllegedBreachInline, ResponseActionInline]


@admin.register(Attribution)
class AttributionAdmin(HistoryAdmin):
    list_display = ["incident", "by_state", "by_organization", "date", "confidence", "basis"]
    list_filter = ["confidence", "basis"]
    search_fields = ["incident__name", "to_group"]
    list_select_related = ["incident", "by_state", "by_organization"]
    autocomplete_fields = ["incident", "by_state", "by_organization", "to_states", "joint_with"]


@admin.register(AllegedBreach)
class AllegedBreachAdmin(HistoryAdmin):
    list_display = ["incident", "norm"]
    search_fields = ["incident__name", "norm__title"]
    list_select_related = ["incident", "norm"]
    autocomplete_fields = ["incident", "norm", "alleged_by_states", "alleged_by_organizations"]


@admin.register(ResponseAction)
class ResponseActionAdmin(HistoryAdmin):
    list_display = ["incident", "measure", "date"]
    list_filter = ["measure__category", "measure__escalation_level"]
    search_fields = ["incident__name", "measure__name", "description"]
    list_select_related = ["incident", "measure"]
    autocomplete_fields = ["incident", "measure", "by_states", "by_organizations", "legal_basis"]


@admin.register(LegalQuestion)
class LegalQuestionAdmin(HistoryAdmin):
    list_display = ["name", "slug", "order"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Stance)
class StanceAdmin(HistoryAdmin):
    list_display = ["position", "question", "stance"]
    list_filter = ["question", "stance"]
    search_fields = ["position__title", "position__author_state__name", "summary"]
    list_select_related = ["position", "question"]
    autocomplete_fields = ["position", "provision"]
