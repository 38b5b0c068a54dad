import pytest

BACKENDS = ["tantivy", "postgres"]


@pytest.fixture(params=BACKENDS)
def backend(request, settings):
    """Run the test against each search backend; both read the same documents."""
    settings.SEARCH_BACKEND = request.param
    return request.param
