import pytest

from normsdb.sources import is_official


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ncsc.gov.uk/news/statement",
        "https://www.justice.gov/opa/pr/charges",
        "https://www.diplomatie.gouv.fr/en/article",
        "https://www.canada.ca/en/global-affairs/news/2021/07/statement.html",
        "https://www.consilium.europa.eu/en/press/press-releases/2020/07/30/",
        "https://www.nato.int/cps/en/natohq/news.htm",
        "http://data.legilux.public.lu/file/eli-etat-leg-div-2018-06-19-a564-jo-fr-html.html",
        "https://verdragenbank.overheid.nl/en/Treaty/Details/013833_p.html",
        "https://medium.com/harmony-one/harmonys-horizon-bridge-hack-1e8d283b6d66",
    ],
)
def test_government_international_and_victim_pages_are_official(url):
    assert is_official(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.reuters.com/world/statement",
        "https://en.wikipedia.org/wiki/NotPetya",
        "https://medium.com/some-blogger/harmony-one/",  # only the victim's own path
        "https://gov.example.com/",  # a government label must sit under a country code
        "not a url",
    ],
)
def test_press_copies_and_other_sites_are_not(url):
    assert not is_official(url)
