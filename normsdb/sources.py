"""Which source links are official: a government, an international organisation, a court,
or the victim's own statement. The incident pages mark them, and a test reports their
share of all incident, attribution and response sources.

A domain is official when its registered name is a government's (any label such as gov,
gouv, gob, govt, mil before the country code, or .gov/.mil), an international
organisation's (.int, un.org, europa.eu…), or on the list below of ministries, agencies and
victims whose sites are not under such a name, or, for a victim writing on a shared
platform, on the list of its own pages there. Copies of official statements on other
sites (news, aggregators) are not official, however faithful.
"""

from urllib.parse import urlsplit

GOVERNMENT_LABELS = {
    "gov",
    "gouv",
    "gob",
    "govt",
    "mil",
    "go",
    "gv",
    "admin",
    "govern",
    "regjeringen",
}
OFFICIAL_SUFFIXES = (
    ".int",
    "un.org",
    "europa.eu",
    "coe.int",
    "osce.org",
    "oas.org",
    "au.int",
    "asean.org",
    "icrc.org",
    "icj-cij.org",
)
# Ministries, agencies, parliaments and victims whose domains carry no government label.
OFFICIAL_DOMAINS = {
    "government.nl",
    "rijksoverheid.nl",
    "regjeringen.no",
    "um.dk",
    "auswaertiges-amt.de",
    "bundesregierung.de",
    "bsi.bund.de",
    "bmi.bund.de",
    "bund.de",
    "diplomatie.gouv.fr",
    "elysee.fr",
    "esteri.it",
    "mzv.cz",
    "mzv.gov.cz",
    "vlada.cz",
    "politsei.ee",
    "valitsus.ee",
    "vm.ee",
    "oireachtas.ie",
    "hse.ie",
    "lenus.ie",
    "nhs.uk",
    "parliament.uk",
    "ncsc.govt.nz",
    "cyber.gc.ca",
    "cse-cst.gc.ca",
    "international.gc.ca",
    "cyber.gov.au",
    "pm.gov.au",
    "dfat.gov.au",
    "mofa.go.jp",
    "mofa.go.kr",
    "kremlin.ru",
    "mid.ru",
    "fmprc.gov.cn",
    "mfa.gov.cn",
    "president.gov.ua",
    "ssu.gov.ua",
    "cip.gov.ua",
    "synnovis.co.uk",
    "bl.uk",
    "colonialpipeline.com",
    "maersk.com",
    "uscourts.gov",
    "supremecourt.gov",
    "icc-cpi.int",
    "interpol.int",
    "europol.europa.eu",
    "pariscall.international",
    "canada.ca",
    "defensie.nl",
    "supo.fi",
    "kryeministria.al",
    "beyondtrust.com",
    "belgium.be",
    "aivd.nl",
    "ncsc.nl",
    "jbsfoodsgroup.com",
    "cces.ca",
    "public.lu",
    "overheid.nl",
    "officielebekendmakingen.nl",
    "finlex.fi",
}
# Victims' own statements on shared platforms: official by their path, not their host.
OFFICIAL_PAGES = ("medium.com/harmony-one/",)


def domain(url):
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def is_official(url):
    host = domain(url)
    if not host:
        return False
    if (host + urlsplit(url).path).startswith(OFFICIAL_PAGES):
        return True
    if host in OFFICIAL_DOMAINS or any(host.endswith("." + d) for d in OFFICIAL_DOMAINS):
        return True
    if host.endswith(OFFICIAL_SUFFIXES):
        return True
    labels = host.split(".")
    if labels[-1] in {"gov", "mil"}:  # example.gov, example.mil
        return True
    # example.gov.uk, example.gouv.fr, example.go.jp: a government label under a country code
    return len(labels) >= 2 and len(labels[-1]) == 2 and labels[-2] in GOVERNMENT_LABELS
