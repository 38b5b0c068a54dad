"""Pages a reader can read: text contrast, no sideways scrolling on a 390 px phone, sane
headings and form options — checked in real Chromium on the curated data. Each page is also
photographed (tests/browser/screenshots/, git-ignored) at desktop and phone width."""

import pytest

from tests.browser.conftest import shot

# The page types, with curated records that stress them (long titles, wide tables).
PAGES = {
    "home": "/",
    "instruments": "/instruments/",
    "instrument": "/instruments/budapest-convention/",
    "asean-statement": "/instruments/asean-leaders-statement-2018/",
    "norms": "/norms/",
    "norm": "/norms/no-damage-to-critical-infrastructure/",
    "obligations": "/obligations/",
    "responses": "/responses/",
    "topic": "/topics/critical-infrastructure/",
    "states": "/states/",
    "state": "/states/DE/",
    "compare": "/compare/?i=budapest-convention&i=malabo-convention&i=ungge-2015-report",
    "compare-states": "/compare/states/?s=DE&s=FR&s=JP",
    "matrix": "/matrix/",
    "positions": "/positions/",
    "question": "/positions/due-diligence/",
    "search": "/search/?q=critical+infrastructure",
    "data": "/data/",
    "incidents": "/incidents/",
    "incident": "/incidents/notpetya-2017/",
    "glossary": "/glossary/",
    "methodology": "/methodology/",
    "not-found": "/no/such/page/",
}

CONTRAST = """
(selector) => {
  function rgb(value) {
    const m = value.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  }
  function lum(c) {
    const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  let worst = 21, where = "";
  for (const el of document.querySelectorAll(selector)) {
    if (!el.innerText || !el.innerText.trim() || el.offsetParent === null) continue;
    const fg = rgb(getComputedStyle(el).color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < worst) { worst = ratio; where = el.tagName + ": " + el.innerText.slice(0, 40); }
  }
  return [worst, where];
}
"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def test_norm_pages_keep_every_text_at_aa_contrast(page, curated_live):
    page.goto(curated_live.url + PAGES["norm"])
    worst, where = page.evaluate(CONTRAST, "main *")
    assert worst >= 4.5, where


@pytest.mark.parametrize(
    "name",
    [
        "matrix",
        "compare",
        "incident",
        "asean-statement",
        "positions",
        "compare-states",
        "state",
        "instrument",
        "search",
        "question",
    ],
)
def test_a_390_px_phone_never_scrolls_sideways(phone, curated_live, name):
    phone.goto(curated_live.url + PAGES[name])
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (name, width)


def test_the_states_region_filter_offers_each_region_once(page, curated_live):
    page.goto(curated_live.url + "/states/")
    options = page.locator("#region option").all_inner_texts()
    assert len(options) == len(set(options)) and "Africa" in options


@pytest.mark.parametrize(
    "name",
    [
        "responses",
        "norms",
        "incidents",
        "state",
        "positions",
        "incident",
        "instrument",
        "search",
        "question",
    ],
)
def test_headings_never_skip_a_level(page, curated_live, name):
    page.goto(curated_live.url + PAGES[name])
    levels = page.evaluate(
        "[...document.querySelectorAll('main h1, main h2, main h3, main h4')]"
        ".map(h => +h.tagName[1])"
    )
    jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert levels[0] == 1 and not jumps, (name, jumps)


def test_no_filter_select_offers_dashes(page, curated_live):
    for path in ("/instruments/", "/obligations/", "/incidents/"):
        page.goto(curated_live.url + path)
        assert "---------" not in page.locator("form.filters").inner_text()


def test_the_copy_button_copies_a_citation(browser, curated_live):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(curated_live.url + PAGES["instrument"])
    page.get_by_role("button", name="Copy Plain text").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert "Convention on Cybercrime" in page.evaluate("navigator.clipboard.readText()")
    context.close()


def test_every_page_type_photographed_at_desktop_and_phone_width(page, phone, curated_live):
    for name, path in PAGES.items():
        page.goto(curated_live.url + path)
        shot(page, f"desktop-{name}")
        phone.goto(curated_live.url + path)
        shot(phone, f"phone-{name}")
    # The not-found page itself answers 404, which the console reports; nothing else may fail.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]


def test_search_filters_fold_on_a_phone_so_results_come_first(page, phone, curated_live):
    url = curated_live.url + PAGES["search"]
    page.goto(url)
    assert page.locator("details.refine").evaluate("d => d.open")
    assert page.get_by_role("link", name="Binding").first.is_visible()
    phone.goto(url)
    assert not phone.locator("details.refine").evaluate("d => d.open")
    phone.get_by_text("By record type, legal force, kind and topic").click()
    assert phone.locator("details.refine").evaluate("d => d.open")
