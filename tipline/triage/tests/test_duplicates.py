import pytest

from tipline.cases.models import Case
from tipline.triage import similarity
from tipline.triage.duplicates import (
    find_similar,
    forget,
    record_fingerprint,
)
from tipline.triage.models import FingerprintBand, TextFingerprint
from tipline.triage.tests.test_similarity import (
    CHINESE,
    CHINESE_OTHER,
    CHINESE_RETOLD,
    ENGLISH,
    ENGLISH_OTHER,
    ENGLISH_RETOLD,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_case(submit_report, profile):
    """A real case, made through the report form. Its own text is too short to be
    fingerprinted, so each test decides which text the case stands for."""

    def make() -> Case:
        response = submit_report({"what_happened": "n/a"})
        assert response.status_code == 200
        return Case.objects.latest("pk")

    return make


def recorded(new_case, text: str) -> Case:
    case = new_case()
    record_fingerprint(case_id=case.pk, text=text)
    return case


@pytest.mark.parametrize(
    ("original", "retold", "other"),
    [
        (ENGLISH, ENGLISH_RETOLD, ENGLISH_OTHER),
        (CHINESE, CHINESE_RETOLD, CHINESE_OTHER),
    ],
)
def test_a_retold_report_finds_the_original_and_not_other_reports(
    new_case, original, retold, other
):
    first = recorded(new_case, original)
    recorded(new_case, other)
    again = new_case()

    found = record_fingerprint(case_id=again.pk, text=retold)
    matches = find_similar(case_id=again.pk, fingerprint=found)

    assert [case_id for case_id, _ in matches] == [first.pk]
    assert matches[0][1] >= similarity.THRESHOLD


def test_a_case_is_not_its_own_duplicate(new_case):
    case = recorded(new_case, ENGLISH)
    twin = recorded(new_case, ENGLISH)
    found = similarity.fingerprint(ENGLISH, key=similarity.similarity_key())

    assert find_similar(case_id=case.pk, fingerprint=found) == [(twin.pk, 1.0)]
    assert find_similar(case_id=None, fingerprint=found) == [
        (case.pk, 1.0),
        (twin.pk, 1.0),
    ]


def test_the_most_similar_come_first_up_to_the_limit(new_case):
    exact = recorded(new_case, ENGLISH)
    retold = recorded(new_case, ENGLISH_RETOLD)
    found = similarity.fingerprint(ENGLISH, key=similarity.similarity_key())

    matches = find_similar(case_id=None, fingerprint=found)

    assert [case_id for case_id, _ in matches] == [exact.pk, retold.pk]
    assert matches[0][1] > matches[1][1]
    assert find_similar(case_id=None, fingerprint=found, limit=1) == matches[:1]


def test_lookup_takes_two_queries_and_none_for_short_text(
    new_case, django_assert_num_queries
):
    recorded(new_case, CHINESE)
    found = similarity.fingerprint(CHINESE_RETOLD, key=similarity.similarity_key())
    short = similarity.fingerprint("有人偷拍。", key=similarity.similarity_key())

    with django_assert_num_queries(2):
        assert len(find_similar(case_id=None, fingerprint=found)) == 1
    with django_assert_num_queries(0):
        assert find_similar(case_id=None, fingerprint=short) == []


def test_stored_rows_hold_no_piece_of_the_text(new_case):
    case = recorded(new_case, CHINESE)

    signature = bytes(TextFingerprint.objects.get(case_id=case.pk).signature)
    bands = list(
        FingerprintBand.objects.filter(case_id=case.pk).values_list("value", flat=True)
    )
    stored = signature + b"".join(v.to_bytes(8, "little", signed=True) for v in bands)

    assert len(signature) == 4 * similarity.K
    assert len(bands) == similarity.BANDS
    # Every two characters of the raw text (punctuation too), and every shingle.
    pieces = {CHINESE[i : i + 2].encode() for i in range(len(CHINESE) - 1)}
    for piece in pieces | similarity.shingles(CHINESE):
        assert piece not in stored


def test_a_fingerprint_computed_before_the_transaction_is_stored_as_is(new_case):
    stored = recorded(new_case, CHINESE)
    found = similarity.fingerprint(CHINESE_RETOLD, key=similarity.similarity_key())
    case = new_case()

    assert record_fingerprint(case_id=case.pk, fingerprint=found) is found
    assert (
        bytes(TextFingerprint.objects.get(case_id=case.pk).signature) == found.signature
    )
    assert find_similar(case_id=case.pk, fingerprint=found)[0][0] == stored.pk


def test_short_text_stores_nothing(new_case):
    case = new_case()

    found = record_fingerprint(case_id=case.pk, text="Help.")

    assert found.bands == []
    assert not TextFingerprint.objects.filter(case_id=case.pk).exists()
    assert not FingerprintBand.objects.filter(case_id=case.pk).exists()


def test_forget_removes_the_fingerprint_and_the_case_is_no_longer_found(new_case):
    case = recorded(new_case, ENGLISH)
    kept = recorded(new_case, CHINESE)
    found = similarity.fingerprint(ENGLISH_RETOLD, key=similarity.similarity_key())

    forget(case_ids=[case.pk])

    assert not TextFingerprint.objects.filter(case_id=case.pk).exists()
    assert not FingerprintBand.objects.filter(case_id=case.pk).exists()
    assert FingerprintBand.objects.filter(case_id=kept.pk).count() == similarity.BANDS
    assert find_similar(case_id=None, fingerprint=found) == []


def test_a_flood_of_copies_reads_a_bounded_number_of_rows(new_case, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tipline.triage import duplicates

    monkeypatch.setattr(duplicates, "MAX_BAND_ROWS", 64)
    copies = [recorded(new_case, ENGLISH) for _ in range(12)]
    probe = similarity.fingerprint(ENGLISH, key=similarity.similarity_key())
    assert FingerprintBand.objects.count() == 12 * similarity.BANDS

    with CaptureQueriesContext(connection) as queries:
        matches = find_similar(case_id=None, fingerprint=probe)

    # 12 copies x 32 shared bands = 384 matching rows; only 64 were read, and the
    # copies are still found.
    assert "LIMIT 64" in queries.captured_queries[0]["sql"]
    assert len(matches) == 10
    assert {case_id for case_id, _ in matches} <= {case.pk for case in copies}
    assert all(score == 1.0 for _, score in matches)
