"""The format additions: memberships, organisations as participants, position authors and
stances, legal questions, recorded votes, EU-style binding, incident date precision,
attribution summaries. Each is imported, exported, round-tripped byte for byte, and its
bad references are named."""

import copy
import datetime
import json

import pytest

from instruments.models import Instrument, Membership, Participation, RecordedVote, Vote
from normsdb.dataset import DatasetError, dataset_import, export_bytes
from obligations.models import Attribution, Incident, LegalQuestion, Stance

# In canonical form: keys in the schema's order, records sorted, nothing empty.
DOCUMENT = {
    "format": "normsdb/1",
    "organizations": [
        {
            "slug": "eu",
            "name": "European Union",
            "acronym": "EU",
            "members": [
                {"state": "EE", "joined_on": "2004-05-01", "source_url": "https://example.org/ee"},
                {"state": "FR", "joined_on": "1958-01-01"},
            ],
        }
    ],
    "legal_questions": [
        {
            "slug": "due-diligence",
            "name": "Due diligence",
            "description": "Whether due diligence binds states in cyberspace.",
            "order": 2,
        },
        {
            "slug": "sovereignty-rule",
            "name": "Sovereignty as a rule",
            "description": "Whether a breach of sovereignty is wrongful on its own.",
        },
    ],
    "states": [{"code": "EE", "name": "Estonia"}, {"code": "FR", "name": "France"}],
    "instruments": [
        {
            "slug": "estonia-position-2019",
            "title": "Estonia's position on international law in cyberspace",
            "kind": "position",
            "legal_force": "voluntary",
            "scope": "national",
            "status": "adopted",
            "author": "EE",
            "adopted_on": "2019-05-29",
            "provisions": [{"label": "para. 1", "order": 1}, {"label": "para. 2", "order": 2}],
            "stances": [
                {
                    "question": "due-diligence",
                    "stance": "affirms",
                    "summary": "Due diligence is an obligation of every state.",
                    "provision": "para. 2",
                },
                {
                    "question": "sovereignty-rule",
                    "stance": "leaves_open",
                    "summary": "The paper does not say.",
                },
            ],
        },
        {
            "slug": "eu-directive",
            "title": "A directive",
            "kind": "legislation",
            "legal_force": "binding",
            "scope": "regional",
            "status": "in_force",
            "organization": "eu",
            "binds_members_of": "eu",
        },
        {
            "slug": "test-convention",
            "title": "A convention",
            "kind": "treaty",
            "legal_force": "binding",
            "scope": "regional",
            "status": "open_for_signature",
            "participants": [
                {"state": "FR", "status": "signatory", "signed_on": "2020-01-01"},
                {"organization": "eu", "status": "signatory", "signed_on": "2020-01-02"},
            ],
        },
        {
            "slug": "unga-res-1",
            "title": "A resolution adopted by recorded vote",
            "kind": "resolution",
            "legal_force": "voluntary",
            "scope": "global",
            "status": "adopted",
            "adopted_on": "2018-12-05",
            "recorded_vote": {
                "in_favour": 1,
                "against": 0,
                "abstaining": 1,
                "source_url": "https://example.org/vote",
                "date": "2018-12-05",
                "meeting": "A/73/PV.45",
                "yes": ["EE"],
                "abstain": ["FR"],
            },
        },
        {
            "slug": "unga-res-2",
            "title": "A resolution adopted without a vote",
            "kind": "resolution",
            "legal_force": "voluntary",
            "scope": "global",
            "status": "adopted",
            "adopted_without_vote": True,
        },
    ],
    "incidents": [
        {
            "slug": "op-month",
            "name": "Operation Month",
            "operation_type": "espionage",
            "summary": "Known to have started in a month.",
            "started_on": "2017-06",
            "ended_on": "2018",
            "attributions": [
                {
                    "by": "eu",
                    "date": "2019-01-01",
                    "confidence": "suspected",
                    "summary": "The EU pointed at a foreign actor.",
                }
            ],
        },
        {
            "slug": "op-unknown",
            "name": "Operation Unknown",
            "operation_type": "disruption",
            "summary": "Nobody knows when it began.",
            "start_unknown": True,
            "ended_on": "2020-03-04",
        },
    ],
}


def canonical_text(document):
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def errors_of(document):
    with pytest.raises(DatasetError) as raised:
        dataset_import(document=document)
    return raised.value.errors


def test_the_additions_round_trip_byte_for_byte(db):
    dataset_import(document=DOCUMENT)
    assert export_bytes() == canonical_text(DOCUMENT)


def test_a_second_import_of_the_additions_changes_nothing(db):
    dataset_import(document=DOCUMENT)
    report = dataset_import(document=DOCUMENT)
    assert not report.changed, list(report.lines())


def test_memberships_are_imported_with_their_dates(db):
    dataset_import(document=DOCUMENT)
    membership = Membership.objects.get(state="EE")
    assert (membership.organization.slug, membership.joined_on) == ("eu", datetime.date(2004, 5, 1))


def test_an_organisation_can_be_a_participant(db):
    dataset_import(document=DOCUMENT)
    participation = Participation.objects.by_organization().get()
    assert (participation.organization.slug, participation.state) == ("eu", None)


def test_a_position_has_its_author_and_stances(db):
    dataset_import(document=DOCUMENT)
    position = Instrument.objects.get(slug="estonia-position-2019")
    stance = Stance.objects.get(question__slug="due-diligence")
    assert position.author_state_id == "EE"
    assert (stance.position, stance.provision.label) == (position, "para. 2")


def test_legal_questions_keep_their_order(db):
    dataset_import(document=DOCUMENT)
    assert list(LegalQuestion.objects.values_list("slug", "order")) == [
        ("sovereignty-rule", 0),
        ("due-diligence", 2),
    ]


def test_a_recorded_vote_becomes_totals_and_vote_rows(db):
    dataset_import(document=DOCUMENT)
    recorded = RecordedVote.objects.get()
    assert (recorded.in_favour, recorded.abstaining, recorded.meeting) == (1, 1, "A/73/PV.45")
    assert set(Vote.objects.values_list("state", "vote")) == {("EE", "yes"), ("FR", "abstain")}


def test_a_state_no_longer_listed_in_a_vote_loses_its_vote_row(db):
    dataset_import(document=DOCUMENT)
    changed = copy.deepcopy(DOCUMENT)
    vote = changed["instruments"][3]["recorded_vote"]
    vote.update(abstaining=0)
    del vote["abstain"]
    report = dataset_import(document=changed)
    assert list(Vote.objects.values_list("state", flat=True)) == ["EE"]
    assert report.deleted["votes"] == 1


def test_binding_through_membership_and_adoption_without_vote_are_stored(db):
    dataset_import(document=DOCUMENT)
    assert Instrument.objects.get(slug="eu-directive").binds_members_of.slug == "eu"
    assert Instrument.objects.get(slug="unga-res-2").adopted_without_vote


def test_reduced_precision_dates_are_stored_as_first_days_with_their_precision(db):
    dataset_import(document=DOCUMENT)
    incident = Incident.objects.get(slug="op-month")
    assert (incident.started_on, incident.started_on_precision) == (
        datetime.date(2017, 6, 1),
        "month",
    )
    assert (incident.ended_on, incident.ended_on_precision) == (datetime.date(2018, 1, 1), "year")


def test_an_unknown_start_is_stored_without_a_date(db):
    dataset_import(document=DOCUMENT)
    incident = Incident.objects.get(slug="op-unknown")
    assert incident.start_unknown and incident.started_on is None


def test_an_attribution_by_an_organisation_keeps_its_summary(db):
    dataset_import(document=DOCUMENT)
    attribution = Attribution.objects.get()
    assert (attribution.by_organization.slug, attribution.summary) == (
        "eu",
        "The EU pointed at a foreign actor.",
    )


def test_bad_references_in_the_additions_are_named(db):
    broken = copy.deepcopy(DOCUMENT)
    broken["organizations"][0]["members"][0]["state"] = "XX"
    broken["instruments"][0]["author"] = "nobody"
    broken["instruments"][0]["stances"][0]["question"] = "no-such-question"
    broken["instruments"][0]["stances"][1]["provision"] = "para. 99"
    broken["instruments"][1]["binds_members_of"] = "nato"
    broken["instruments"][2]["participants"][1]["organization"] = "au"
    broken["instruments"][3]["recorded_vote"]["yes"] = ["YY"]
    broken["incidents"][0]["attributions"][0]["by"] = "gchq"
    errors = errors_of(broken)
    assert errors == [
        'organizations[0].members[0].state: unknown state code "XX"',
        'instruments[0].author: unknown state code or organisation "nobody"',
        'instruments[0].stances[0].question: unknown legal question "no-such-question"',
        "instruments[0].stances[1].provision: unknown provision label in "
        'estonia-position-2019: "para. 99"',
        'instruments[1].binds_members_of: unknown organization "nato"',
        'instruments[2].participants[1].organization: unknown organization "au"',
        'instruments[3].recorded_vote.yes[0]: unknown state code "YY"',
        'incidents[0].attributions[0].by: unknown state code or organisation "gchq"',
    ]


def test_the_rules_of_the_additions_are_named(db):
    broken = copy.deepcopy(DOCUMENT)
    broken["instruments"][1]["author"] = "EE"  # only positions have authors
    broken["instruments"][2]["participants"][0]["organization"] = "eu"  # both
    broken["instruments"][3]["recorded_vote"]["in_favour"] = 2  # one state listed
    broken["instruments"][4]["recorded_vote"] = copy.deepcopy(
        DOCUMENT["instruments"][3]["recorded_vote"]
    )  # adopted without a vote
    broken["incidents"][1]["started_on"] = "2019"  # start unknown
    broken["incidents"][0]["ended_on"] = "2016"  # before the start
    broken["organizations"][0]["members"][1]["left_on"] = "1957-01-01"
    errors = "\n".join(errors_of(broken))
    for expected in [
        'instruments[1].kind: Only a position (kind "position") has an author and stances.',
        "instruments[2].participants[0]: A participant is one state or one organisation",
        "instruments[3].recorded_vote.yes: lists 1 states, but the official in_favour is 2",
        "instruments[4]: A resolution adopted without a vote has no recorded vote.",
        "incidents[1]: An incident with an unknown start has no started_on.",
        "incidents[0].ended_on: An incident cannot end before it starts.",
        "organizations[0].members[1].left_on: A state cannot leave before it joins.",
    ]:
        assert expected in errors, errors


def test_a_state_in_two_vote_lists_is_named(db):
    broken = copy.deepcopy(DOCUMENT)
    vote = broken["instruments"][3]["recorded_vote"]
    vote["no"], vote["against"] = ["EE"], 1
    assert 'instruments[3].recorded_vote.no[0]: "EE" is in more than one list of the vote' in (
        errors_of(broken)
    )
