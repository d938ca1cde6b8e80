"""Storing and looking up keyed text fingerprints to flag likely duplicate reports.

Only what the lookup needs is stored (tipline.triage.similarity explains the keyed
MinHash and what a database thief can learn from it): a 512-byte signature and 32
band values per case, never the text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, models, transaction

from tipline.triage import similarity
from tipline.triage.models import FingerprintBand, TextFingerprint
from tipline.triage.similarity import Fingerprint

# Cases sharing the most bands are checked first. A duplicate shares most of its
# bands, while unrelated cases share one by chance at most, so a cap keeps the cost of
# a lookup bounded however many reports are stored.
MAX_CANDIDATES = 50
# At most this many band rows are read per lookup. Without a cap, a flood of copies
# of one text (a campaign, a copy-paste) makes every further copy read 32 rows per
# earlier copy, and intake slows with the size of the flood. With it, a flooded
# lookup still finds copies (any row read is a true candidate); it just stops
# looking once it has plenty.
MAX_BAND_ROWS = 512


# savepoint=False: part of the report's transaction, whole or not at all.
@transaction.atomic(savepoint=False)
def record_fingerprint(
    *, case_id: int, text: str = "", fingerprint: Fingerprint | None = None
) -> Fingerprint:
    """Store the signature and bands of ``text`` (or of a ``fingerprint`` already
    computed from it) for case ``case_id``.

    Call it inside the transaction that stores the report; compute the fingerprint
    before it, while the plaintext is in memory, to keep the transaction short. A
    text too short to have bands stores nothing: it can never be matched.
    """
    found = fingerprint
    if found is None:
        found = similarity.fingerprint(text, key=similarity.similarity_key())
    if found.bands:
        TextFingerprint.objects.create(case_id=case_id, signature=found.signature)
        _insert_bands(case_id, found.bands)
    return found


def _column(name: str) -> str:
    field = FingerprintBand._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise LookupError(f"FingerprintBand.{name} is not a column")
    return field.column


def _insert_bands(case_id: int, bands: list[int]) -> None:
    # One prepared statement run 32 times: the ORM's bulk_create spends more time
    # compiling 32 rows than the database spends storing them, on every report.
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(name)) for name in ("case_id", "value"))
    table = quote(FingerprintBand._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(case_id, value) for value in bands])


def find_similar(
    *, case_id: int | None, fingerprint: Fingerprint, limit: int = 10
) -> list[tuple[int, float]]:
    """Stored cases whose text likely duplicates the fingerprinted one, as
    ``(case id, estimated similarity)``, most similar first, at or above
    ``similarity.THRESHOLD``. ``case_id``, the case being checked, is left out.

    Two indexed queries whatever the number of stored cases: at most
    ``MAX_BAND_ROWS`` rows of cases sharing a band value, then the signatures of at
    most ``MAX_CANDIDATES`` of them.
    """
    if not fingerprint.bands:
        return []
    bands = FingerprintBand.objects.filter(value__in=fingerprint.bands)
    if case_id is not None:
        bands = bands.exclude(case_id=case_id)
    # Ordered by the index's first column, so that every database reads the same
    # rows: on a flood, many cases of the first shared band value.
    shared = Counter(
        bands.order_by("value").values_list("case_id", flat=True)[:MAX_BAND_ROWS]
    )
    candidates = [
        case for case, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0]))
    ][:MAX_CANDIDATES]
    if not candidates:
        return []
    stored = TextFingerprint.objects.filter(case_id__in=candidates).values_list(
        "case_id", "signature"
    )
    scored = [
        (other, similarity.similarity(fingerprint.signature, bytes(signature)))
        for other, signature in stored
    ]
    likely = [pair for pair in scored if pair[1] >= similarity.THRESHOLD]
    likely.sort(key=lambda pair: (-pair[1], pair[0]))
    return likely[:limit]


@transaction.atomic
def forget(*, case_ids: Iterable[int]) -> None:
    """Delete the cases' signatures and bands (closed as malicious, or purged)."""
    ids = list(case_ids)
    FingerprintBand.objects.filter(case_id__in=ids).delete()
    TextFingerprint.objects.filter(case_id__in=ids).delete()


# The tables that hold what this module stores about cases (the retention purge
# vacuums them after deleting rows).
TABLES = (TextFingerprint._meta.db_table, FingerprintBand._meta.db_table)
