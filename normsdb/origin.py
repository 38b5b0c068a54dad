"""The site's public address, for every absolute URL it writes (API links, permalinks,
citations, feeds, sitemaps, e-mails).

It comes from the SITE_URL setting, never from the request: a request's Host and
X-Forwarded-Proto headers are the client's to forge, and a page built from them would be
cached and served, with the forged origin in it, to everyone after."""

from django.conf import settings


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
