"""sitemap.xml (Django's sitemaps): every record page and the site's own pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from instruments.models import Instrument, State
from obligations.models import Incident, LegalQuestion, Norm, Obligation, ResponseMeasure, Topic


class OriginSitemap(Sitemap):
    """Absolute URLs on SITE_URL, not on the Host the request claims (normsdb.origin)."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class RecordSitemap(OriginSitemap):
    def __init__(self, queryset):
        self.queryset = queryset

    def items(self):
        return self.queryset

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(OriginSitemap):
    names = [
        "home",
        "instruments:list",
        "obligations:norm-list",
        "obligations:obligation-list",
        "obligations:ladder",
        "obligations:topic-list",
        "obligations:incident-list",
        "obligations:positions",
        "obligations:matrix",
        "instruments:state-list",
        "glossary",
        "methodology",
    ]

    def items(self):
        return self.names

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap(),
    "instruments": RecordSitemap(Instrument.objects.order_by("slug")),
    "norms": RecordSitemap(Norm.objects.order_by("slug")),
    "obligations": RecordSitemap(Obligation.objects.order_by("slug")),
    "measures": RecordSitemap(ResponseMeasure.objects.order_by("slug")),
    "topics": RecordSitemap(Topic.objects.order_by("slug")),
    "states": RecordSitemap(State.objects.order_by("code")),
    "incidents": RecordSitemap(Incident.objects.order_by("slug")),
    "questions": RecordSitemap(LegalQuestion.objects.order_by("slug")),
}
