from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        # "all" is only honoured for CSV, which streams (see ResourceViewSet.list).
        if request.query_params.get(self.page_size_query_param) == "all":
            return self.max_page_size
        return super().get_page_size(request)
