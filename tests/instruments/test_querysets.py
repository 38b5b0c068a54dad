import pytest

from instruments.models import Instrument
from obligations.models import Norm, Obligation, Topic
from tests.factories import make_participation


def test_a_topic_subtree_holds_the_topic_and_all_descendants(cast):
    slugs = set(Topic.objects.subtree(cast.infrastructure).values_list("slug", flat=True))
    assert slugs == {"critical-infrastructure", "health", "hospitals"}


def test_a_subtree_can_be_asked_for_by_slug(cast):
    assert set(Topic.objects.subtree("health").values_list("slug", flat=True)) == {
        "health",
        "hospitals",
    }


def test_obligations_for_a_topic_include_those_tagged_with_descendants(cast):
    found = set(Obligation.objects.for_topic(cast.infrastructure))
    assert found == {cast.binding, cast.voluntary}


def test_obligations_for_a_leaf_topic_exclude_its_ancestors_tags(cast):
    assert list(Obligation.objects.for_topic(cast.hospitals)) == [cast.binding]


def test_a_binding_treaty_in_force_binds_its_parties(cast):
    assert list(Instrument.objects.binding_on(cast.germany)) == [cast.treaty]


def test_a_signatory_is_not_bound(cast):
    assert not Instrument.objects.binding_on(cast.kenya).exists()


def test_a_voluntary_instrument_binds_nobody(cast):
    make_participation(state=cast.germany, instrument=cast.report, status="supporter")
    assert cast.report not in Instrument.objects.binding_on(cast.germany)


def test_a_treaty_not_yet_in_force_binds_nobody(cast):
    Instrument.objects.filter(pk=cast.treaty.pk).update(status="open_for_signature")
    assert not Instrument.objects.binding_on(cast.germany).exists()


def test_obligations_binding_a_state_come_from_its_binding_instruments(cast):
    assert list(Obligation.objects.binding_on(cast.germany)) == [cast.binding]


def test_a_norm_is_articulated_by_the_instruments_of_its_obligations(cast):
    assert set(cast.norm.articulating_instruments()) == {cast.treaty, cast.report}


def test_instrument_counts_per_norm_are_derived_through_obligations(cast):
    norm = Norm.objects.with_instrument_count().get(pk=cast.norm.pk)
    assert (norm.instrument_count, norm.obligation_count) == (2, 2)


def test_instruments_articulating_a_norm(cast):
    assert set(Instrument.objects.articulating(cast.norm)) == {cast.treaty, cast.report}


def test_topic_obligation_counts_count_each_obligation_once_per_subtree(cast):
    cast.binding.topics.add(cast.health)  # tagged with a child and a grandchild
    counts = Topic.objects.obligation_counts()
    assert counts[cast.infrastructure.pk] == 2


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        ("PT24H", "24 hours"),
        ("P1M", "1 month"),
        ("PT1H", "1 hour"),
        ("P60D", "60 days"),
        ("P1Y2M", "1 year and 2 months"),
        ("PT90M", "90 minutes"),
    ],
)
def test_deadlines_read_in_words(db, duration, words):
    from obligations.models import duration_in_words

    assert duration_in_words(duration) == words


def test_an_instrument_is_in_force_from_its_entry_into_force_date(db):
    import datetime

    from tests.factories import make_instrument

    treaty = make_instrument(entered_into_force_on=datetime.date(2004, 7, 1))
    assert treaty.is_in_force(on=datetime.date(2004, 7, 1))
    assert not treaty.is_in_force(on=datetime.date(2004, 6, 30))


def test_a_superseded_instrument_is_not_in_force(db):
    import datetime

    from tests.factories import make_instrument

    directive = make_instrument(
        status="superseded", entered_into_force_on=datetime.date(2016, 8, 8)
    )
    assert not directive.is_in_force()


def test_instruments_a_state_participates_in_include_signatures(cast):
    assert list(Instrument.objects.participated_by(cast.kenya)) == [cast.treaty]
