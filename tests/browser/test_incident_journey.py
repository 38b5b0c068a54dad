"""Incident → response → measure → norm → back to the incident, in real Chromium."""

import re

from playwright.sync_api import expect


def test_a_reader_follows_an_incident_to_its_norm_and_back(page, curated_live):
    page.goto(curated_live.url + "/incidents/")
    page.get_by_role("link", name=re.compile("Albania")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Albania")
    incident_url = page.url
    dates = page.locator(".timeline > li time").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('datetime'))"
    )
    assert dates == sorted(dates) and len(dates) >= 3
    expect(page.locator(".timeline li.ev-response .level-pill").first).to_contain_text(
        "Ladder level"
    )

    page.locator(".timeline li.ev-response a[href='/responses/us-cyber-sanctions/']").first.click()
    expect(page.get_by_text("Attribution needed")).to_be_visible()

    page.locator(
        "section[aria-labelledby=norms] a[href='/norms/no-damage-to-critical-infrastructure/']"
    ).click()
    expect(page.get_by_role("heading", name="The norm's trail")).to_be_visible()

    page.locator("section[aria-labelledby=incidents] a", has_text="Albania").first.click()
    assert page.url == incident_url and page.console_errors == []
