"""A frozen database (its processes stopped with SIGSTOP: not down, just silent) cannot make
requests hang: /healthz, pages and the API answer 503 within 3 s, request after request, with
persistent connections open when it froze; after SIGCONT they answer 200 again."""

import time

from tests.normsdb.conftest import fetch

URLS = ["/healthz", "/", "/api/v1/instruments/", "/instruments/"]


def test_requests_answer_503_within_3_seconds_while_the_database_is_frozen(
    database_server, production_app
):
    for _ in range(2):  # both workers hold a persistent connection
        assert [fetch(production_app + url)[0] for url in URLS] == [200] * len(URLS)

    database_server.freeze()
    try:
        # Three rounds: the persistent connections' check, then fresh connections that the
        # frozen server never completes, then the same again.
        answers = [fetch(production_app + url, timeout=10) for _ in range(3) for url in URLS]
    finally:
        database_server.thaw()
    assert [status for status, _, _ in answers] == [503] * len(answers)
    seconds = [round(answer[2], 2) for answer in answers]
    print("seconds to a 503 while frozen:", seconds)
    assert max(seconds) < 3, seconds

    # Each worker waits out its short breaker (normsdb.deadline), then serves again.
    back = time.monotonic()
    while time.monotonic() - back < 10:
        statuses = [fetch(production_app + url)[0] for url in URLS * 2]
        if statuses == [200] * len(statuses):
            break
        time.sleep(0.2)
    assert statuses == [200] * len(statuses), statuses
