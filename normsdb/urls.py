from django.contrib import admin
from django.urls import include, path

from . import views

handler404 = "normsdb.views.page_not_found"
handler500 = "normsdb.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("data/", views.data_page, name="data"),
    path("data/normsdb.json", views.data_file, name="data-file"),
    path("data/schema.json", views.data_schema, name="data-schema"),
    path("data/SHA256SUMS", views.data_checksums, name="data-checksums"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("normsdb.api.urls")),
    path("", include("instruments.urls")),
    path("", include("obligations.urls")),
]
