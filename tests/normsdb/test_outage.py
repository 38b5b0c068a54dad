"""The database goes away and comes back: the production server answers 503 quickly while
it is gone and recovers by itself when it returns. Real processes, a real server stop."""

import time

from tests.normsdb.conftest import fetch


def test_pages_and_api_answer_503_while_the_database_is_down_and_recover(
    database_server, production_app
):
    assert [fetch(production_app + p)[0] for p in ("/", "/api/v1/instruments/")] == [200, 200]

    database_server.stop_server()
    page = fetch(production_app + "/")
    api = fetch(production_app + "/api/v1/instruments/")
    health = fetch(production_app + "/healthz")
    assert (page[0], api[0], health[0]) == (503, 503, 503)
    assert "Temporarily unavailable" in page[1] and '"detail"' in api[1]
    assert max(page[2], api[2], health[2]) < 2

    database_server.start_server()
    back = time.monotonic()
    statuses = []
    while time.monotonic() - back < 2:
        statuses.append(fetch(production_app + "/")[0])
        if statuses[-1] == 200:
            break
    assert statuses[-1] == 200, statuses
    assert fetch(production_app + "/api/v1/instruments/")[0] == 200
