"""Site-wide pages: home, compare, matrix, the dataset downloads, glossary, history,
saved searches, health and the error pages (the search page: normsdb.search.views)."""

import sys
import threading
from collections import defaultdict

import psycopg
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.db.models import CharField, Count, F, Value
from django.db.models.functions import ExtractYear
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from instruments.models import Instrument, LegalForce
from obligations.models import Norm, Obligation, ResponseMeasure, Topic

from .alerts import follow
from .api.history import history_entries
from .charts import FORCE_COLOURS, horizontal_bars, stacked_years
from .dataset import SCHEMA_PATH, publish
from .deadline import watchdog
from .models import SavedSearch
from .origin import absolute_url
from .pagecache import shows
from .replicas import read_alias

RECORD_COUNTS_SQL = """
SELECT
    (SELECT COUNT(*) FROM instruments_instrument),
    (SELECT COUNT(*) FROM instruments_provision),
    (SELECT COUNT(*) FROM obligations_norm),
    (SELECT COUNT(*) FROM obligations_obligation),
    (SELECT COUNT(*) FROM obligations_responsemeasure),
    (SELECT COUNT(*) FROM obligations_topic),
    (SELECT COUNT(*) FROM instruments_state),
    (SELECT COUNT(*) FROM instruments_participation),
    (SELECT COUNT(*) FROM obligations_incident)
"""
RECORD_KINDS = [
    "instruments",
    "provisions",
    "norms",
    "obligations",
    "response measures",
    "topics",
    "states",
    "participations",
    "incidents",
]


def record_counts():
    with connection.cursor() as cursor:
        cursor.execute(RECORD_COUNTS_SQL)
        return dict(zip(RECORD_KINDS, cursor.fetchone(), strict=True))


def recently_changed(limit=8):
    """The latest changes across the main record types, in one UNION query."""

    def latest(model, title, kind):
        return model.objects.annotate(
            record_title=F(title),
            record_kind=Value(kind, output_field=CharField()),
            changed=F("updated_at"),
        ).values("slug", "record_title", "record_kind", "changed", "created_at")

    union = latest(Instrument, "title", "instrument").union(
        latest(Norm, "title", "norm"),
        latest(ResponseMeasure, "name", "response measure"),
        latest(Obligation, "summary", "obligation"),
        all=True,
    )
    return list(union.order_by("-changed")[:limit])


def adoption_chart():
    rows = (
        Instrument.objects.with_first_date()
        .exclude(sort_date=None)
        .annotate(year=ExtractYear("sort_date"))
        .values("year", "legal_force")
        .annotate(count=Count("id"))
    )
    by_year = defaultdict(dict)
    for row in rows:
        by_year[row["year"]][row["legal_force"]] = row["count"]
    return stacked_years(sorted(by_year.items()), LegalForce.choices, FORCE_COLOURS)


def topic_chart():
    counts = Topic.objects.obligation_counts()
    roots = Topic.objects.roots().order_by("name")
    rows = sorted(
        ((t.name, counts.get(t.pk, 0), t.get_absolute_url()) for t in roots),
        key=lambda row: -row[1],
    )
    return horizontal_bars(rows)


@shows(
    "instruments.instrument",
    "instruments.organization",
    "instruments.participation",
    "instruments.provision",
    "instruments.state",
    "obligations.incident",
    "obligations.norm",
    "obligations.obligation",
    "obligations.responsemeasure",
    "obligations.topic",
)
def home(request):
    return render(
        request,
        "normsdb/home.html",
        {
            "counts": record_counts(),
            # Newest by the date a reader cites (adoption, signature), not by when entered here.
            "newest": Instrument.objects.with_first_date()
            .exclude(sort_date=None)
            .select_related("organization")
            .order_by("-sort_date", "title")[:6],
            "changes": recently_changed(),
            "adoption_chart": adoption_chart(),
            "topic_chart": topic_chart(),
        },
    )


def healthz(request):
    """200 when the database answers, 503 when it does not, within HEALTH_CHECK_SECONDS
    whatever the database does.

    The check runs on a connection of its own, not the worker's persistent one: that one may
    be the very connection stuck on a frozen server, and a fresh connection proves that new
    work can start. It runs in a thread the view waits for up to the deadline, since a frozen
    server can hold a connection attempt for connect_timeout (at least 2 s in libpq); the
    thread ends by itself then, and its query is bounded by the watchdog (normsdb.deadline).
    """
    answered = threading.Event()
    thread = threading.Thread(target=check_database, args=(answered,), daemon=True)
    thread.start()
    if not answered.wait(settings.HEALTH_CHECK_SECONDS):
        return JsonResponse(
            {"status": "unavailable", "database": "down"}, status=503, headers={"Retry-After": "5"}
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def check_database(answered):
    params = connections["default"].get_connection_params()
    params["connect_timeout"] = 2
    try:
        with psycopg.connect(**params, autocommit=True) as conn:
            with watchdog.bounded(conn, settings.HEALTH_CHECK_SECONDS):
                conn.execute("SELECT 1")
    except psycopg.Error:
        return
    answered.set()


def database_unavailable(request):
    """503 for a database that is unreachable or does not answer in time."""
    if wants_json(request):
        return JsonResponse(
            {"detail": "The database is unavailable; try again shortly."},
            status=503,
            headers={"Retry-After": "5"},
        )
    # Rendered without context processors: they might touch the database.
    html = render_to_string("503.html")
    return HttpResponse(html, status=503, headers={"Retry-After": "5"})


def wants_json(request):
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def page_not_found(request, exception=None):
    if wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """500, or 503 when the cause is the database being unreachable."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        # No connection to the primary could be made (a replica that failed is the replica
        # router's to leave out, not a reason to refuse every request for a while).
        if read_alias.get() == DEFAULT_DB_ALIAS and connections["default"].connection is None:
            watchdog.trip()
        return database_unavailable(request)
    if wants_json(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)


@shows()
def glossary(request):
    return render(request, "normsdb/glossary.html")


@shows()
def methodology(request):
    return render(request, "normsdb/methodology.html")


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


# The record types with a public history page: /history/<kind>/<key>/.
HISTORY_KINDS = {
    "instrument": ("instruments.Instrument", "slug"),
    "provision": ("instruments.Provision", "pk"),
    "state": ("instruments.State", "code"),
    "organization": ("instruments.Organization", "slug"),
    "norm": ("obligations.Norm", "slug"),
    "obligation": ("obligations.Obligation", "slug"),
    "measure": ("obligations.ResponseMeasure", "slug"),
    "topic": ("obligations.Topic", "slug"),
    "incident": ("obligations.Incident", "slug"),
    "question": ("obligations.LegalQuestion", "slug"),
}


def history_kind(record):
    """(kind, key) of a record's public history page."""
    label = record._meta.label
    for kind, (model_label, field) in HISTORY_KINDS.items():
        if model_label == label:
            return kind, str(getattr(record, field))
    raise ValueError(f"no public history for {label}")


def record_history(request, kind, key):
    """When a record changed and which fields: for everyone. Who changed it: staff only."""
    if kind not in HISTORY_KINDS:
        raise Http404("No such kind of record.")
    model_label, field = HISTORY_KINDS[kind]
    model = apps.get_model(model_label)
    lookup = {field: key.upper() if kind == "state" else key}
    if field == "pk" and not key.isdigit():
        raise Http404("No such record.")
    record = get_object_or_404(model, **lookup)
    return render(
        request,
        "normsdb/history.html",
        {
            "record": record,
            "kind": kind,
            "entries": history_entries(record, show_users=request.user.is_staff),
        },
    )


@csrf_exempt  # it changes nothing; a write to an unknown URL is a 404, not a CSRF 403
def not_found(request, path):
    """Unknown URLs, also while DEBUG is on (make run): the styled 404 page, never Django's
    debug page listing every URL pattern. Like APPEND_SLASH, a path missing its final slash
    is redirected."""
    if not request.path.endswith("/"):
        try:
            resolve(request.path + "/")
        except Resolver404:
            pass
        else:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return page_not_found(request)


@login_required
def saved_searches(request):
    """A signed-in user's saved searches; POST (from the search page) saves one."""
    if request.method == "POST":
        query = request.POST.get("query", "")[:1000]
        params = QueryDict(query)
        if not params.get("q", "").strip():
            return HttpResponse("Save a search with words to look for.", status=400)
        name = (request.POST.get("name") or params.get("q", "")).strip()[:120]
        saved, created = SavedSearch.objects.get_or_create(
            user=request.user, query=query, defaults={"name": name}
        )
        if created:
            follow(saved)
        return redirect("saved-searches")
    return render(
        request,
        "accounts/saved_searches.html",
        {"saved": SavedSearch.objects.filter(user=request.user).order_by("-created_at")},
    )


@require_POST
@login_required
def saved_search_delete(request, pk):
    SavedSearch.objects.filter(user=request.user, pk=pk).delete()
    return redirect("saved-searches")


def data_page(request):
    """The dataset to download: the current export, its schema, checksums and date."""
    published = publish.current()
    return render(
        request,
        "normsdb/data.html",
        {"published": published, "schema": publish.schema_facts()},
    )


def data_file(request):
    published = publish.current()
    response = FileResponse(open(published.path, "rb"), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="normsdb.json"'
    return response


def data_schema(request):
    return FileResponse(open(SCHEMA_PATH, "rb"), content_type="application/schema+json")


def data_checksums(request):
    """For `sha256sum -c`: the two files under the names they download as."""
    published = publish.current()
    lines = [
        f"{published.sha256}  normsdb.json",
        f"{publish.schema_facts()['sha256']}  schema.json",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
