"""Saved searches and their e-mail alerts, delivered to a real SMTP server the test starts."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core.management import call_command

from normsdb.models import SavedSearch
from normsdb.search import reindex
from tests.factories import make_obligation, make_user


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def follower(client, cast):
    user = make_user("follower")
    user.email = "follower@example.org"
    user.save()
    client.force_login(user)
    reindex()
    return user


def test_a_signed_in_user_saves_a_search_from_its_query(client, follower):
    response = client.post("/account/searches/", {"query": "q=hospitals", "name": "Hospitals"})
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=follower)
    assert saved.name == "Hospitals" and saved.seen  # today's matches are known already


def test_the_search_page_offers_to_save_the_search_it_shows(client, follower):
    page = client.get("/search/?q=hospitals&type=obligation").content.decode()
    assert 'action="/account/searches/"' in page and "Save this search" in page
    assert 'name="query" value="q=hospitals&amp;type=obligation"' in page


def test_an_anonymous_reader_is_asked_to_sign_in_to_save(client, cast):
    reindex()
    page = client.get("/search/?q=hospitals").content.decode()
    assert "Save this search" not in page and "Sign in</a> to save this search" in page


def test_saving_needs_a_signed_in_user(client, cast):
    response = client.post("/account/searches/", {"query": "q=hospitals"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_alert_arrives_at_the_smtp_server_with_the_new_match(client, follower, smtp):
    client.post("/account/searches/", {"query": "q=hospitals", "name": "Hospitals"})
    make_obligation(slug="new-one", summary="States must keep hospitals' networks running.")
    reindex()
    call_command("send_alerts")
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    body = message.get_payload(decode=True).decode()
    assert message["To"] == "follower@example.org" and "/obligations/new-one/" in body


def test_a_match_is_reported_once(client, follower, smtp):
    client.post("/account/searches/", {"query": "q=hospitals", "name": "Hospitals"})
    make_obligation(slug="new-one", summary="States must keep hospitals' networks running.")
    reindex()
    call_command("send_alerts")
    call_command("send_alerts")
    assert len(smtp.messages) == 1


def test_nothing_new_sends_nothing(client, follower, smtp):
    client.post("/account/searches/", {"query": "q=hospitals", "name": "Hospitals"})
    call_command("send_alerts")
    assert smtp.messages == []


def test_a_user_stops_following_a_search(client, follower):
    client.post("/account/searches/", {"query": "q=hospitals", "name": "Hospitals"})
    saved = SavedSearch.objects.get(user=follower)
    client.post(f"/account/searches/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()
