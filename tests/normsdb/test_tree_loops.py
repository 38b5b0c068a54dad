"""Topic and provision parents never make a loop, whoever writes: the API (a 400 naming
`parent`), the admin (a form error), an import or raw SQL (the database's triggers, whose
constraint names the importer maps to the path of the record)."""

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from instruments.models import Provision
from normsdb.api.errors import exception_handler
from normsdb.dataset import DatasetError, dataset_import
from obligations.models import Topic
from tests.factories import make_provision, make_user


@pytest.fixture
def tree_editor_api(cast):
    user = make_user(
        "tree-editor",
        staff=True,
        permissions=[
            "obligations.change_topic",
            "obligations.view_topic",
            "instruments.change_provision",
            "instruments.view_provision",
        ],
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def chapter(cast):
    """Chapter I > Art. 1 (the cast's) > Art. 1(a)."""
    chapter = make_provision(instrument=cast.treaty, label="Chapter I", order=0)
    cast.article.parent = chapter
    cast.article.save()
    make_provision(instrument=cast.treaty, label="Art. 1(a)", order=2, parent=cast.article)
    return chapter


def patch(client, url, data):
    etag = client.get(url)["ETag"]
    return client.patch(url, data, format="json", HTTP_IF_MATCH=etag)


def raw_sql_error(sql, params):
    """The error the database raises for a statement, and its constraint name."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return caught.value


def test_the_api_refuses_a_topic_under_its_own_descendant_naming_parent(tree_editor_api, cast):
    response = patch(
        tree_editor_api, "/api/v1/topics/critical-infrastructure/", {"parent": "hospitals"}
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["parent"]
    assert Topic.objects.get(slug="critical-infrastructure").parent is None


def test_the_api_refuses_a_provision_under_its_own_child_naming_parent(tree_editor_api, chapter):
    url = f"/api/v1/provisions/{chapter.pk}/"
    child = Provision.objects.get(label="Art. 1(a)")
    response = patch(
        tree_editor_api,
        url,
        {"parent": {"instrument": "test-convention", "provision": child.label}},
    )
    assert response.status_code == 400 and "parent" in response.json()["errors"]


def test_the_admin_shows_a_topic_loop_as_a_form_error(client, cast):
    client.force_login(make_user("boss", staff=True, permissions=["obligations.change_topic"]))
    url = reverse("admin:obligations_topic_change", args=[cast.infrastructure.pk])
    response = client.post(
        url, {"slug": "critical-infrastructure", "name": "CI", "parent": cast.hospitals.pk}
    )
    assert response.status_code == 200 and "parent" in response.context["adminform"].form.errors
    assert Topic.objects.get(pk=cast.infrastructure.pk).parent is None


def test_the_database_refuses_a_topic_loop_closed_through_existing_rows(cast):
    error = raw_sql_error(
        "UPDATE obligations_topic SET parent_id = %s WHERE id = %s",
        [cast.hospitals.pk, cast.infrastructure.pk],
    )
    assert error.__cause__.diag.constraint_name == "topic_parent_not_a_loop"
    assert isinstance(error.__cause__, psycopg.errors.CheckViolation)


def test_the_database_refuses_a_provision_loop(chapter):
    child = Provision.objects.get(label="Art. 1(a)")
    error = raw_sql_error(
        "UPDATE instruments_provision SET parent_id = %s WHERE id = %s", [child.pk, chapter.pk]
    )
    assert error.__cause__.diag.constraint_name == "provision_parent_not_a_loop"


def test_the_database_refuses_a_parent_in_another_instrument(cast):
    error = raw_sql_error(
        "UPDATE instruments_provision SET parent_id = %s WHERE id = %s",
        [cast.paragraph.pk, cast.article.pk],
    )
    assert error.__cause__.diag.constraint_name == "provision_parent_same_instrument"


def test_a_loop_refused_by_the_trigger_after_validation_is_a_400_naming_parent(cast):
    """Two editors can each pass validation and close half of a loop: the second write
    meets the trigger, and that is the client's 400, not a 500."""
    error = raw_sql_error(
        "UPDATE obligations_topic SET parent_id = %s WHERE id = %s",
        [cast.hospitals.pk, cast.infrastructure.pk],
    )
    response = exception_handler(error, {})
    assert response.status_code == 400 and list(response.data["errors"]) == ["parent"]


def test_an_import_that_closes_a_loop_through_stored_topics_changes_nothing(cast):
    document = {
        "format": "normsdb/1",
        "topics": [{"slug": "critical-infrastructure", "name": "CI", "parent": "hospitals"}],
    }
    with pytest.raises((DatasetError, IntegrityError)) as caught:
        dataset_import(document=document)
    # The importer names the record by path (DatasetError), or passes on the database's
    # refusal, whose constraint name it can map to that path.
    cause = getattr(caught.value.__cause__, "diag", None)
    assert isinstance(caught.value, DatasetError) or (
        cause.constraint_name == "topic_parent_not_a_loop"
    )
    assert Topic.objects.get(slug="critical-infrastructure").parent is None
