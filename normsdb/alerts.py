"""Saved searches and their e-mail alerts: a signed-in user follows a search, and
`manage.py send_alerts` mails them the records that have come to match it since."""

from django.conf import settings
from django.core.mail import send_mail
from django.http import QueryDict
from django.utils import timezone

from normsdb.origin import absolute_url

MATCHES_CHECKED = 500  # the best-ranked matches a saved search watches
SEEN_KEPT = 5_000


def matches(saved_search):
    """The saved search's current best matches, as search hits (its filters re-checked)."""
    from normsdb.search import Filters, SearchError, search

    params = QueryDict(saved_search.query)
    try:
        filters = Filters.from_params(params)
    except SearchError:
        return []
    result = search(params.get("q", ""), filters, page=1, page_size=MATCHES_CHECKED)
    return result.hits


def key(hit):
    return f"{hit.type}:{hit.slug}"


def follow(saved_search):
    """Start following: what matches now is known already; only what comes later alerts."""
    saved_search.seen = [key(hit) for hit in matches(saved_search)][:SEEN_KEPT]
    saved_search.last_sent_at = timezone.now()
    saved_search.save()


def new_matches(saved_search):
    seen = set(saved_search.seen)
    return [hit for hit in matches(saved_search) if key(hit) not in seen]


def alert(saved_search, hits):
    lines = [
        f"New in NormsDB for your saved search “{saved_search.name}”:",
        "",
        *[f"- {hit.title} ({hit.type_label})\n  {absolute_url(hit.html_url)}" for hit in hits],
        "",
        f"The search: {absolute_url('/search/?' + saved_search.query)}",
        f"Your saved searches (to stop these e-mails): {absolute_url('/account/searches/')}",
    ]
    send_mail(
        subject=f"NormsDB: {len(hits)} new for “{saved_search.name}”",
        message="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[saved_search.user.email],
    )


def send_alerts():
    """Mail each user the new matches of each saved search; returns (searches, e-mails)."""
    from normsdb.models import SavedSearch

    checked = sent = 0
    for saved_search in SavedSearch.objects.select_related("user").exclude(user__email=""):
        checked += 1
        hits = new_matches(saved_search)
        if not hits:
            continue
        alert(saved_search, hits)
        sent += 1
        saved_search.seen = (saved_search.seen + [key(hit) for hit in hits])[-SEEN_KEPT:]
        saved_search.last_sent_at = timezone.now()
        saved_search.save(update_fields=["seen", "last_sent_at"])
    return checked, sent
