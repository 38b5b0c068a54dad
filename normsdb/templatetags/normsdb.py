import json

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from instruments.models import Instrument

register = template.Library()

MODALITY_WORDS = {
    "must": "must",
    "must_not": "must not",
    "should": "should",
    "should_not": "should not",
    "may": "may",
}


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with another page number, other parameters kept."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def with_param(context, name, value):
    """The current URL's query with one parameter set (and the page reset)."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    if value in (None, ""):
        params.pop(name, None)
    else:
        params[name] = value
    query = params.urlencode()
    return "?" + query if query else "?"


# Parameters of an HTML list that are about the page, not the records it holds.
PAGE_PARAMETERS = {"page", "sort", "votes"}


def list_query(request, **extra):
    params = request.GET.copy()
    for name in PAGE_PARAMETERS:
        params.pop(name, None)
    for name, value in extra.items():
        params[name] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def csv_url(context, route):
    """The same list, with the same filters, as CSV from the API: every row, streamed."""
    return reverse(route) + "?" + list_query(context["request"], format="csv", page_size="all")


@register.simple_tag(takes_context=True)
def feed_url(context, name):
    """The Atom feed of this list or search, with the same filters (normsdb.feeds)."""
    query = list_query(context["request"])
    return reverse("feed", args=[name]) + (f"?{query}" if query else "")


@register.simple_tag(takes_context=True)
def active_filters(context, filterset):
    """[(label, shown value, URL without it)] for each filter in use: the chips above a list."""
    if not filterset.is_bound or not filterset.form.is_valid():
        return []
    request = context["request"]
    chips = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "") or name not in request.GET:
            continue
        field = filterset.form.fields[name]
        shown = dict(getattr(field, "choices", []) or []).get(value, value)
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        params = request.GET.copy()
        params.pop(name, None)
        params.pop("page", None)
        chips.append(
            (field.label.rstrip(".") if field.label else name, shown, "?" + params.urlencode())
        )
    return chips


@register.simple_tag
def incident_date(value, precision):
    """A date with the precision it is known to: 27 June 2017, June 2017 or 2017."""
    if value is None:
        return ""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value:%B %Y}"


@register.simple_tag
def force_badge(value, label=None):
    if not value:
        return ""
    label = label or dict(Instrument.LegalForce.choices).get(value, value)
    return format_html('<span class="badge force-{}">{}</span>', value.replace("_", "-"), label)


@register.simple_tag
def modality_badge(value):
    if not value:
        return ""
    return format_html(
        '<span class="modality modality-{}">{}</span>',
        value.replace("_", "-"),
        MODALITY_WORDS.get(value, value),
    )


@register.simple_tag
def stance_badge(stance):
    """The stance in words with its own shape and colour: the word carries the meaning."""
    return format_html(
        '<span class="stance stance-{}">{}</span>',
        stance.stance.replace("_", "-"),
        stance.get_stance_display(),
    )


@register.simple_tag
def history_url(record):
    """The public history page of a record (see normsdb.views.record_history)."""
    from normsdb.views import history_kind

    kind, key = history_kind(record)
    return reverse("history", args=[kind, key])


@register.filter
def json_ld(data):
    """A JSON-LD block's content: JSON with <, > and & escaped so it cannot end the script."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


@register.filter
def pretty_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2)


@register.filter(name="is_official")
def is_official_source(url):
    from normsdb.sources import is_official

    return is_official(url or "")


@register.filter
def at(sequence, index):
    """The item at a position of a list: {{ states|at:forloop.counter0 }}."""
    try:
        return sequence[index]
    except (IndexError, TypeError):
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
