from urllib.parse import urlsplit

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from normsdb.origin import absolute_url


def on_site(link):
    """DRF builds paging links from the request's Host and scheme, which a client can forge
    (and the page cache would keep): the same path and query on SITE_URL instead."""
    if link is None:
        return None
    parts = urlsplit(link)
    return absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""))


class StandardPagination(PageNumberPagination):
    """Page-number pagination: `count`, `next`, `previous`, `results`; up to 200 a page."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_next_link(self):
        return on_site(super().get_next_link())

    def get_previous_link(self):
        return on_site(super().get_previous_link())

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        if value == "":
            return self.page_size
        # "all" streams every row for CSV (see ResourceViewSet.list); JSON gets the most.
        if value == "all":
            return self.max_page_size
        size = int(value) if value.isdigit() else 0
        if size < 1:
            raise ValidationError(
                {"page_size": [f"Give a whole number from 1 to {self.max_page_size}, or all."]}
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1. A page past the last is a 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Records per page, from 1 to {self.max_page_size} (default "
                    f"{self.page_size}; more is served as {self.max_page_size}). `all` with "
                    f"CSV streams every matching record at once; with JSON it means "
                    f"{self.max_page_size}."
                ),
                "schema": {
                    "oneOf": [
                        {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
                        {"type": "string", "enum": ["all"]},
                    ]
                },
            },
        ]
