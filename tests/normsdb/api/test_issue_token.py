"""`manage.py issue_token USERNAME`: how an editor gets a token for scripts."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token


def issue_token(*args):
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_it_prints_a_new_token_for_the_user(cast_with_sanctions):
    key = issue_token("editor")
    assert Token.objects.get(user=cast_with_sanctions.editor).key == key


def test_it_prints_the_same_token_when_asked_again(cast_with_sanctions):
    assert issue_token("editor") == issue_token("editor")


def test_rotate_replaces_the_token(cast_with_sanctions):
    old = issue_token("editor")
    assert issue_token("editor", "--rotate") != old
    assert not Token.objects.filter(key=old).exists()


def test_an_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match='No user "nobody"'):
        issue_token("nobody")


def test_the_issued_token_lets_the_editor_write(api, cast_with_sanctions):
    api.credentials(HTTP_AUTHORIZATION=f"Token {issue_token('editor')}")
    body = {
        "slug": "x",
        "instrument": "test-report",
        "duty_bearer": "states",
        "modality": "may",
        "summary": "States may test.",
    }
    assert api.post("/api/v1/obligations/", body, format="json").status_code == 201
