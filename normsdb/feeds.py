"""Atom feeds of new and changed records (Django's syndication framework): every change,
each list with the filters of the page that links it (/feeds/obligations/?topic=health), and
any search (/feeds/search/?q=attribution), whose entries are its matches, newest first."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags

from instruments.filters import InstrumentFilter
from instruments.models import Instrument
from normsdb.origin import absolute_url
from normsdb.search import Filters, SearchError, search
from normsdb.search.snippets import Hit
from obligations.filters import IncidentFilter, ObligationFilter
from obligations.models import Incident, Norm, Obligation, ResponseMeasure

ITEMS = 50

# name → (title, model, FilterSet or None, the list page it follows)
LISTS = {
    "instruments": ("Instruments", Instrument, InstrumentFilter, "/instruments/"),
    "obligations": ("Obligations", Obligation, ObligationFilter, "/obligations/"),
    "norms": ("Norms", Norm, None, "/norms/"),
    "incidents": ("Incidents", Incident, IncidentFilter, "/incidents/"),
}


class RecordFeed(Feed):
    """New and changed records of one list, newest change first."""

    feed_type = Atom1Feed

    def get_object(self, request, name):
        if name == "search":
            return {"name": name, "request": request, "filters": search_filters(request)}
        if name == "changes":
            return {"name": name, "request": request}
        if name not in LISTS:
            raise Http404("No such feed.")
        return {"name": name, "request": request}

    def title(self, obj):
        if obj["name"] == "search":
            return f"NormsDB: search for “{obj['request'].GET.get('q', '').strip()[:100]}”"
        if obj["name"] == "changes":
            return "NormsDB: new and changed records"
        return f"NormsDB: new and changed {LISTS[obj['name']][0].lower()}"

    def link(self, obj):
        if obj["name"] == "changes":
            return absolute_url("/")
        query = obj["request"].GET.urlencode()
        page = "/search/" if obj["name"] == "search" else LISTS[obj["name"]][3]
        return absolute_url(page + (f"?{query}" if query else ""))

    def feed_url(self, obj):
        query = obj["request"].GET.urlencode()
        return absolute_url(obj["request"].path + (f"?{query}" if query else ""))

    def subtitle(self, obj):
        return "Records are listed when they are created or changed; follow each to its page."

    def items(self, obj):
        if obj["name"] == "search":
            return search(obj["request"].GET.get("q", ""), obj["filters"], page_size=ITEMS).hits
        if obj["name"] == "changes":
            return changes()
        _, model, filterset_class, _ = LISTS[obj["name"]]
        queryset = model.objects.all()
        if filterset_class is not None:
            filterset = filterset_class(obj["request"].GET or None, queryset=queryset)
            if filterset.is_bound and not filterset.is_valid():
                raise Http404("A filter of this feed is not valid; see the list page.")
            queryset = filterset.qs
        if model is Obligation:
            queryset = queryset.select_related("instrument", "provision")
        return list(queryset.order_by("-updated_at")[:ITEMS])

    def item_title(self, item):
        return item.title if isinstance(item, Hit) else str(item)

    def item_description(self, item):
        if isinstance(item, Hit):
            return strip_tags(item.snippet)
        for name in ("summary", "statement", "description"):
            if getattr(item, name, ""):
                return getattr(item, name)
        return ""

    def item_link(self, item):
        return absolute_url(item.html_url if isinstance(item, Hit) else item.get_absolute_url())

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return dated(item) if isinstance(item, Hit) else item.created_at

    def item_updateddate(self, item):
        return dated(item) if isinstance(item, Hit) else item.updated_at


def search_filters(request):
    """The search's filters, newest first; a feed with no words or bad filters is a 404."""
    params = request.GET.copy()
    params["sort"] = "date"
    if not params.get("q", "").strip():
        raise Http404("A search feed needs words to search for: /feeds/search/?q=…")
    try:
        return Filters.from_params(params)
    except SearchError as error:
        raise Http404(f"A filter of this feed is not valid: {', '.join(error.errors)}.") from None


def dated(hit):
    """A search match's time in a feed: midday of its record's date, or now if undated."""
    if hit.date is None:
        return timezone.now()
    return timezone.make_aware(datetime.combine(hit.date, time(12)))


def changes():
    """The latest changes across instruments, norms, obligations, measures and incidents."""
    models = [
        Instrument.objects.all(),
        Norm.objects.all(),
        Obligation.objects.select_related("instrument", "provision"),
        ResponseMeasure.objects.all(),
        Incident.objects.all(),
    ]
    latest = [record for queryset in models for record in queryset.order_by("-updated_at")[:ITEMS]]
    return sorted(latest, key=lambda r: r.updated_at, reverse=True)[:ITEMS]
