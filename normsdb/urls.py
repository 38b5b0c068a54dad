from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from . import views
from .feeds import RecordFeed
from .search import views as search_views
from .sitemaps import SITEMAPS

handler404 = "normsdb.views.page_not_found"
handler500 = "normsdb.views.server_error"

urlpatterns = [
    path("glossary/", views.glossary, name="glossary"),
    path("methodology/", views.methodology, name="methodology"),
    path("history/<str:kind>/<str:key>/", views.record_history, name="history"),
    path("feeds/<str:name>/", RecordFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/searches/", views.saved_searches, name="saved-searches"),
    path(
        "account/searches/<int:pk>/delete/",
        views.saved_search_delete,
        name="saved-search-delete",
    ),
    path("", views.home, name="home"),
    path("search/", search_views.search_page, name="search"),
    path("data/", views.data_page, name="data"),
    path("data/normsdb.json", views.data_file, name="data-file"),
    path("data/schema.json", views.data_schema, name="data-schema"),
    path("data/SHA256SUMS", views.data_checksums, name="data-checksums"),
    path("resolve/", search_views.resolve_page, name="resolve"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("normsdb.api.urls")),
    path("", include("instruments.urls")),
    path("", include("obligations.urls")),
    # Last: any other path is the styled 404 (with DEBUG on too).
    re_path(r"^(?P<path>.*)$", views.not_found),
]
