"""Cite anything: five formats on every record page, the same through the API."""

import datetime

import pytest

from normsdb.citations import cite

TODAY = datetime.date(2026, 12, 2)
FORMATS = ["Plain text", "OSCOLA", "Bluebook", "BibTeX", "CSL-JSON"]


def test_a_treaty_is_cited_by_its_opening_for_signature_not_its_adoption(cast):
    cast.treaty.adopted_on = datetime.date(2001, 11, 8)
    cast.treaty.opened_for_signature_on = datetime.date(2001, 11, 23)
    cast.treaty.entered_into_force_on = datetime.date(2004, 7, 1)
    citation = cite(cast.treaty, today=TODAY)
    assert (
        "opened for signature 23 November 2001, entered into force 1 July 2004" in citation.oscola
    )
    assert citation.oscola.endswith("accessed 2 December 2026")
    assert "Nov. 23, 2001" in citation.bluebook and "ETS No 999" in citation.oscola


def test_a_provision_is_cited_with_its_pinpoint_and_anchor(cast):
    citation = cite(cast.article, today=TODAY)
    assert ", art 1 <http://testserver/instruments/test-convention/#p-art-1>" in citation.oscola
    assert citation.csl["locator"] == "Art. 1"


def test_a_un_document_is_cited_by_its_symbol(cast):
    cast.report.symbol = "A/70/174"
    cast.report.adopted_on = datetime.date(2015, 7, 22)
    citation = cite(cast.report, today=TODAY)
    assert (
        "UN Doc A/70/174" in citation.oscola
        and "U.N. Doc. A/70/174 (July 22, 2015)" in citation.bluebook
    )


def test_the_csl_json_names_the_record_and_the_accessed_date(cast):
    csl = cite(cast.norm, today=TODAY).csl
    assert csl["type"] == "webpage" and csl["accessed"] == {"date-parts": [[2026, 12, 2]]}


@pytest.mark.parametrize(
    "url",
    [
        "/instruments/test-convention/",
        "/norms/protect-hospitals/",
        "/obligations/test-convention-art-1/",
        "/responses/public-attribution/",
        "/incidents/op-hospital/",
        "/states/DE/",
        "/topics/health/",
    ],
)
def test_every_record_page_has_the_five_formats_and_a_copy_button(client, cast_with_incident, url):
    page = client.get(url).content.decode()
    assert all(f"<summary>{label}</summary>" in page for label in FORMATS)
    assert 'data-copy="cite-bibtex"' in page and "/static/js/cite.js" in page


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/instruments/test-convention/cite/",
        "/api/v1/provisions/{article}/cite/",
        "/api/v1/norms/protect-hospitals/cite/",
        "/api/v1/obligations/test-convention-art-1/cite/",
        "/api/v1/states/DE/cite/",
        "/api/v1/incidents/op-hospital/cite/",
        "/api/v1/response-measures/public-attribution/cite/",
        "/api/v1/topics/health/cite/",
    ],
)
def test_the_api_gives_the_same_citations(api, cast_with_incident, url):
    data = api.get(url.format(article=cast_with_incident.article.pk)).json()
    assert set(data) == {"text", "oscola", "bluebook", "bibtex", "csl", "permalink"}
    assert data["permalink"].startswith("http://testserver/")
