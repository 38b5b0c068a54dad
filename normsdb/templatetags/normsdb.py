import json

from django import template
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


@register.filter
def json_ld(data):
    """A JSON-LD block's content: JSON with <, > and & escaped so it cannot end the script."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


@register.filter
def pretty_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
