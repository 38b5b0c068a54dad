"""The interactive API documentation renders in Chromium with no network beyond the app."""

from playwright.sync_api import expect


def offline(page, base_url):
    """Refuse every request that does not go to the app itself."""
    blocked = []

    def route(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return blocked


def test_swagger_ui_renders_the_operations_offline(page, live_server):
    offline(page, live_server.url)
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    assert page.locator(".opblock").count() > 20


def test_redoc_renders_offline(page, live_server):
    offline(page, live_server.url)
    page.goto(live_server.url + "/api/redoc/")
    expect(page.get_by_text("NormsDB API").first).to_be_visible(timeout=15000)
