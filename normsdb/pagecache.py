"""Serve anonymous reads from a cache that committed changes invalidate, kind by kind.

Pages and API answers are the same for every anonymous visitor: their links are built from
SITE_URL (normsdb.origin), never from request headers, so nothing a client sends except the
path and Accept can shape what is stored. A response is kept under a key made of those two
and of the *data versions* of the kinds of record the view shows. Database triggers bump a
kind's version in the transaction that changes its rows (migration normsdb/0007), so a
version moves only for committed changes to data: a failed login or a rejected write
changes nothing, and a change to incidents leaves the cached instrument pages alone.

Reading the versions is one small query, shared by all app servers through the database,
so a change made through one worker is seen at once by the others, with a per-process
cache (default) or a shared Redis (REDIS_URL).

A view says what it shows with @shows(...) (function views) or `cache_kinds` (viewsets);
a view that says nothing is taken to show everything.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from normsdb.models import DataVersion

SKIP_PREFIXES = ("/admin/", "/healthz", "/static/", "/accounts/")
ALL_KINDS = None


def shows(*kinds):
    """Declare the kinds of record a function view shows ("instruments.instrument", …)."""

    def decorate(view):
        view.cache_kinds = frozenset(kinds)
        return view

    return decorate


def kinds_of(view_func):
    kinds = getattr(view_func, "cache_kinds", None)
    owner = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    if kinds is None and owner is not None:  # DRF views and viewsets, class-based views
        kinds = getattr(owner, "cache_kinds", None)
    return kinds


def data_versions():
    """{kind: version} for every kind that has changed at least once."""
    return dict(DataVersion.objects.values_list("kind", "version"))


def cacheable(request):
    return (
        request.method == "GET"
        and not request.path.startswith(SKIP_PREFIXES)
        and "sessionid" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def cache_key(request, versions, kinds):
    if kinds is not None:
        versions = {kind: version for kind, version in versions.items() if kind in kinds}
    state = ",".join(f"{kind}={version}" for kind, version in sorted(versions.items()))
    raw = f"{request.get_full_path()}|{request.headers.get('Accept', '')}|{state}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "page_cache_key", None)
        if key and response.status_code == 200 and not response.streaming and not response.cookies:
            headers = {k: v for k, v in response.items() if k.lower() != "set-cookie"}
            cache.set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.PAGE_CACHE_SECONDS or not cacheable(request):
            return None
        key = cache_key(request, data_versions(), kinds_of(view_func))
        cached = cache.get(key)
        if cached is not None and self.within_rate(request):
            return replay(cached)
        request.page_cache_key = key
        return None

    def within_rate(self, request):
        """A cached API answer still counts against the anonymous rate limit."""
        if not request.path.startswith("/api/"):
            return True
        from normsdb.api.throttling import AnonRateThrottle

        request.user = AnonymousUser()  # true by construction: no session, no token
        return AnonRateThrottle().allow_request(request, None)


def replay(cached):
    """The stored response; ConditionalGetMiddleware, outside this one, turns it into a 304
    when the client already holds it."""
    content, headers = cached
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    patch_vary_headers(response, ["Accept"])
    response["X-Page-Cache"] = "hit"
    return response
