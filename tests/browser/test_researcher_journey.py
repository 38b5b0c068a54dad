"""A researcher's path through the site, in real Chromium, on the curated data."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import shot


def test_a_researcher_goes_from_home_to_a_response_measure(page, curated_live):
    page.goto(curated_live.url + "/")
    expect(page).to_have_title(re.compile("International cyber norms"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instruments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Instruments")

    page.get_by_label("Kind").select_option("treaty")
    page.get_by_label("Legal force").select_option("binding")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("match these filters")
    page.get_by_role("link", name="Convention on Cybercrime", exact=True).click()
    expect(page).to_have_title(re.compile("Budapest Convention"))
    expect(page.get_by_text("ETS No. 185").first).to_be_visible()

    page.get_by_role("link", name="Estonia").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Estonia")
    expect(page.get_by_role("heading", name="What binds it")).to_be_visible()

    page.get_by_text(re.compile(r"^Cybercrime \(\d+\)")).first.click()
    page.locator("details[open] .records a").first.click()
    expect(page).to_have_title(re.compile("Budapest Convention|Convention|Protocol"))
    expect(page.get_by_text("Duty bearer")).to_be_visible()

    norm_link = page.locator("dd a[href^='/norms/']").first
    norm_link.click()
    expect(page.get_by_role("heading", name="The norm's trail")).to_be_visible()
    expect(page.locator(".trail > li").first).to_be_visible()

    page.locator("section[aria-labelledby=responses] h3 a").first.click()
    expect(page.get_by_text("Attribution needed")).to_be_visible()
    assert page.console_errors == []


def test_the_instrument_page_fits_a_phone_screen(browser, curated_live):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(curated_live.url + "/instruments/budapest-convention/")
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "instrument-phone")
    context.close()
    assert width <= 390 and errors == []


def test_every_main_page_renders_without_console_errors(page, curated_live):
    for path in [
        "/",
        "/instruments/",
        "/norms/",
        "/obligations/",
        "/responses/",
        "/states/",
        "/topics/",
        "/matrix/",
        "/incidents/",
        "/search/?q=critical+infrastructure",
        "/compare/?i=budapest-convention&i=un-cybercrime-convention",
        "/instruments/nis2-directive/",
        "/states/KE/",
    ]:
        page.goto(curated_live.url + path)
        assert page.locator("h1").count() == 1, path
    assert page.console_errors == []


def test_keyboard_users_can_skip_to_the_content(page, curated_live):
    page.goto(curated_live.url + "/instruments/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
