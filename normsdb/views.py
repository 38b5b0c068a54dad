"""Site-wide pages: home, compare, matrix, health and the error pages (search: normsdb.search)."""

import sys
from collections import defaultdict

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import CharField, Count, F, Value
from django.db.models.functions import ExtractYear
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from instruments.models import Instrument, LegalForce
from obligations.models import Norm, Obligation, ResponseMeasure, Topic

from .charts import horizontal_bars, stacked_years

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
    years = sorted(by_year)
    series = (
        [(year, by_year.get(year, {})) for year in range(years[0], years[-1] + 1)] if years else []
    )
    chart = stacked_years(series, LegalForce.choices)
    chart["legend"] = [
        ("force-" + value.replace("_", "-"), label) for value, label in LegalForce.choices
    ]
    chart["table"] = [(year, counts, sum(counts.values())) for year, counts in series if counts]
    chart["forces"] = LegalForce.choices
    return chart


def topic_chart():
    counts = Topic.objects.obligation_counts()
    roots = Topic.objects.roots().order_by("name")
    rows = sorted(
        ((t.name, counts.get(t.pk, 0), t.get_absolute_url()) for t in roots),
        key=lambda row: -row[1],
    )
    return horizontal_bars(rows)


def home(request):
    return render(
        request,
        "normsdb/home.html",
        {
            "counts": record_counts(),
            "newest": Instrument.objects.select_related("organization").order_by("-created_at")[:6],
            "changes": recently_changed(),
            "adoption_chart": adoption_chart(),
            "topic_chart": topic_chart(),
        },
    )


def healthz(request):
    """200 when the database answers, 503 when it does not; never slow."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
        if wants_json(request):
            return JsonResponse(
                {"detail": "The database is unavailable; try again shortly."},
                status=503,
                headers={"Retry-After": "5"},
            )
        # Rendered without context processors: they might touch the database.
        html = render_to_string("503.html")
        return HttpResponse(html, status=503, headers={"Retry-After": "5"})
    if wants_json(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)
