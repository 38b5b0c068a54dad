from django.contrib import admin
from django.urls import include, path

from . import views
from .search import views as search_views

handler404 = "normsdb.views.page_not_found"
handler500 = "normsdb.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search_page, name="search"),
    path("resolve/", search_views.resolve_page, name="resolve"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("normsdb.api.urls")),
    path("", include("instruments.urls")),
    path("", include("obligations.urls")),
]
