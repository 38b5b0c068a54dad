"""The dashboard of /incidents/: four charts (with their data tables) of the incidents the
filters keep. The numbers come from IncidentQuerySet; the drawing from normsdb.charts."""

from normsdb.charts import horizontal_bars, stacked_years

from .models import MeasureCategory, OperationType

# Days from disclosure to the first public attribution, in the dashboard's buckets.
DELAY_BUCKETS = [
    ("Within a week", 7),
    ("Within a month", 31),
    ("Within three months", 92),
    ("Within a year", 366),
    ("Within two years", 731),
    ("Later", None),
]


def incident_charts(incidents):
    """The dashboard of /incidents/, for the incidents the filters keep."""
    delays = incidents.days_to_first_attribution()
    buckets = []
    for label, limit in DELAY_BUCKETS:
        lower = buckets[-1][1] if buckets else -1
        count = sum(1 for _, days in delays if days > lower and (limit is None or days <= limit))
        buckets.append((label, limit if limit is not None else 10**6, count))
    states = incidents.attributed_states()[:15]
    return {
        "per_year": stacked_years(
            sorted(incidents.per_year_and_type().items()), OperationType.choices
        ),
        "attributed": horizontal_bars([(s.name, n, f"?attributed_to={s.code}") for s, n in states]),
        "responses": stacked_years(
            sorted(incidents.responses_per_year_and_category().items()), MeasureCategory.choices
        ),
        "delays": horizontal_bars([(label, count, "") for label, _, count in buckets]),
        "delay_count": len(delays),
    }
