"""Schemathesis generates requests from /api/schema/, valid and invalid, and sends them to
the Django app in this process, reads and writes with an editor's token: no response may be
a server error, and every response must be what the schema says, status, headers and body."""

import hypothesis
import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings, strategies
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode, checks

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]

# Per operation; about 70 operations make a few hundred requests in all.
EXAMPLES = 8


@pytest.fixture
def app_in_this_transaction():
    """The app answers in this thread, inside the test's transaction: as Django's test
    client does, keep it from closing the connection after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def keys(cast_with_sanctions):
    """A real record for each detail path, besides the generated keys that find nothing."""
    return {
        "instruments": {"slug": "test-convention"},
        "provisions": {"id": cast_with_sanctions.article.pk},
        "norms": {"slug": "protect-hospitals"},
        "obligations": {"slug": "test-convention-art-1"},
        "response-measures": {"slug": "public-attribution"},
        "topics": {"slug": "health"},
        "states": {"code": "DE"},
        "organizations": {"slug": "coe"},
        "participations": {"id": cast_with_sanctions.treaty.participations.first().pk},
        "incidents": {"slug": "operation-test"},
        "attributions": {"id": cast_with_sanctions.attribution.pk},
        "response-actions": {"id": cast_with_sanctions.response.pk},
    }


def test_generated_requests_get_no_server_error_and_conform_to_the_schema(
    cast_with_sanctions, keys, app_in_this_transaction, monkeypatch
):
    # Hundreds of requests in seconds would be throttled at the production rates.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})
    admin = get_user_model().objects.create_superuser("admin", password="a-long-password-42")
    token = {"Authorization": f"Token {Token.objects.create(user=admin).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app_in_this_transaction)
    failures, sent = {}, []
    for result in schema.get_all_operations():
        operation = result.ok()
        # Valid requests, invalid ones, and for detail paths valid ones to a real record.
        cases = [
            operation.as_strategy(headers=token),
            operation.as_strategy(GenerationMode.NEGATIVE, headers=token),
        ]
        real = keys.get(operation.path.split("/")[3])
        if real and "{" in operation.path:
            cases.append(operation.as_strategy(headers=token, path_parameters=real))
        failure = exercise(strategies.one_of(cases), token, sent)
        if failure:
            failures[operation.label] = failure
    print(f"schemathesis: {len(sent)} requests, {len(failures)} failing operations")
    for label, failure in failures.items():
        print("FAILURE", label, failure[:1500])
    assert failures == {}
    assert len(sent) > 300


def exercise(strategy, token, sent):
    """Send the generated requests of one operation; the first failure, if any."""
    failures = []

    @hypothesis.given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case):
        sent.append(case)
        try:
            # Each request in a savepoint rolled back after, so a generated write does not
            # change the records the next request is sent to.
            with transaction.atomic():
                case.call_and_validate(headers=token, checks=CHECKS)
                transaction.set_rollback(True)
        except (Exception, BaseExceptionGroup) as error:
            failures.append(str(error)[:3000])

    send()
    return failures[0] if failures else None
