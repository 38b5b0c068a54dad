"""Serve anonymous reads from a cache that every write invalidates.

Pages and API responses are the same for every anonymous visitor, and the data changes
rarely, so a rendered response is kept under a key that includes a *data version*: a
PostgreSQL sequence bumped by every successful write request (admin, API) and by every
dataset import. Reading the version is one cheap query, shared by all app servers through
the database, so a change made through one worker is seen at once by all the others, with
a per-process cache (default) or a shared Redis (REDIS_URL).
"""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from rest_framework.throttling import AnonRateThrottle

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SKIP_PREFIXES = ("/admin/", "/healthz", "/static/")


def data_version():
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM normsdb_data_version")
        return cursor.fetchone()[0]


def bump_data_version():
    """Called after every write; any cached response from before is no longer used."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('normsdb_data_version')")


def cacheable(request):
    return (
        request.method == "GET"
        and not request.path.startswith(SKIP_PREFIXES)
        and "sessionid" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not cacheable(request):
            response = self.get_response(request)
            if request.method not in SAFE_METHODS and response.status_code < 400:
                bump_data_version()
            return response

        key = self.key(request, data_version())
        cached = cache.get(key)
        if cached is not None and self.within_rate(request):
            return self.replay(request, cached)
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = {k: v for k, v in response.items() if k.lower() != "set-cookie"}
            cache.set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
        return response

    def key(self, request, version):
        accept = request.headers.get("Accept", "")
        raw = f"{version}|{request.get_full_path()}|{accept}"
        return "page:" + hashlib.sha256(raw.encode()).hexdigest()

    def within_rate(self, request):
        """A cached API answer still counts against the anonymous rate limit."""
        if not request.path.startswith("/api/"):
            return True
        request.user = AnonymousUser()  # true by construction: no session, no token
        return AnonRateThrottle().allow_request(request, None)

    def replay(self, request, cached):
        content, headers = cached
        etag = headers.get("ETag")
        if etag and etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        patch_vary_headers(response, ["Accept"])
        return response
