"""Near-duplicate detection of report text from keyed MinHash signatures.

While a report's plaintext is in memory at intake, its text is cut into short
overlapping pieces (shingles), and a MinHash signature of that set is computed with
a keyed hash. Two signatures estimate the Jaccard similarity of the two shingle sets;
LSH bands (keyed hashes of groups of signature slots) let the database find the few
earlier reports that may be similar with an index lookup instead of a scan.

Threat handled: a thief holding a copy of the database learns which reports resemble
each other, and roughly how long each text is, but not their text. Every stored value
is the output of BLAKE2b keyed with a secret derived from the server's receipt pepper,
so without it no guessed word or phrase can be tested against a signature, and
signatures made under another key (another instance, a rotated pepper) share nothing
with ours. Residual risk, accepted: a thief who also holds the pepper can test guessed
shingles and learn up to ``K`` short fragments of each text (which ones occur, not
where), so the pepper must never sit next to the database or its backups.

Parameters, measured with ``python -m bench.duplicates`` (figures in
bench/RESULTS.md):

- Shingles: Chinese is written without spaces, so each run of CJK characters is cut
  into character bigrams (most Chinese words have one or two characters), never
  across punctuation; other text into character 5-grams of the whitespace-collapsed
  text. On generated reports, 4-, 5- and 6-grams separate a retold duplicate from
  the closest unrelated report equally well, and better than word pairs or triples;
  5-grams overlap less than 4-grams on natural text on one topic (median 0.06
  against 0.10). Chinese bigrams and trigrams separate equally well; bigrams keep
  heavily edited duplicates higher. Reordering sentences changes only the few
  shingles that span a sentence boundary.
- ``K`` = 128 slots of 32 bits: the standard error of the estimate is at most
  ``0.5 / sqrt(128)`` = 0.044.
- ``BANDS`` x ``ROWS`` = 32 x 4: a pair at similarity ``s`` shares a band with
  probability ``1 - (1 - s**4)**32``: 0.87 at 0.5 and 0.99 at 0.6, but 0.003 at 0.1
  and 0.0004 at 0.06, so chance candidates are rare, and a lookup checks at most
  ``duplicates.MAX_CANDIDATES`` of them.
- ``THRESHOLD`` = 0.5: retold duplicates (sentences reordered, 20 words edited)
  measure 0.64 and more, unrelated generated reports on the same topic at most 0.41
  and natural ones around 0.06.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass

K = 128
BANDS = 32
ROWS = K // BANDS
THRESHOLD = 0.5
# Texts with fewer distinct shingles (a sentence or less) get no bands: a few
# words say too little to call two reports duplicates.
MIN_SHINGLES = 20
LATIN_N = 5
CJK_N = 2

_SIGNATURE = struct.Struct(f"<{K}I")
_EMPTY = 1 << 32
_SHINGLE_PERSON = b"tipline-shingle"
_BAND_PERSON = b"tipline-band"
_KEY_PERSON = b"tipline-similar"

# Han (with extensions and compatibility ideographs), kana and Hangul: scripts
# written without spaces between words.
_CJK_RUN = re.compile(
    "([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f]+)"
)
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Fingerprint:
    """What is kept of a text: a packed signature and its LSH band values."""

    signature: bytes
    bands: list[int]


def similarity_key() -> bytes:
    """The similarity key, derived from the receipt pepper.

    A distinct BLAKE2b personalisation separates it from the receipt derivations, so
    no new secret has to be configured and this key opens nothing else.
    """
    from django.conf import settings

    return hashlib.blake2b(
        settings.RECEIPT_PEPPER.encode(), digest_size=32, person=_KEY_PERSON
    ).digest()


def normalize(text: str) -> str:
    """Compatibility-fold (full-width letters, ligatures), casefold, and turn every
    run of punctuation, symbols and whitespace into one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_WORD.sub(" ", text).strip()


def shingles(text: str, *, latin: int = LATIN_N, cjk: int = CJK_N) -> set[bytes]:
    """The text's shingles, UTF-8 encoded: character ``cjk``-grams within each run of
    CJK characters, character ``latin``-grams of everything else (spaces included).
    A piece shorter than its n-gram size is one shingle."""
    found: set[str] = set()
    for index, piece in enumerate(_CJK_RUN.split(normalize(text))):
        size = cjk if index % 2 else latin
        piece = piece.strip()
        if len(piece) <= size:
            found.add(piece)
        else:
            found.update(piece[i : i + size] for i in range(len(piece) - size + 1))
    found.discard("")
    return {gram.encode() for gram in found}


def fingerprint(text: str, *, key: bytes) -> Fingerprint:
    """The keyed signature and bands of ``text``.

    One-permutation hashing: each shingle is hashed once; the low bits choose a
    slot and the high 32 bits compete for that slot's minimum. Empty slots are then
    filled by optimal densification (Shrivastava, ICML 2017), which keeps the
    fraction of equal slots an unbiased estimate of the Jaccard similarity. Cost:
    one keyed hash per distinct shingle instead of ``K``.

    Empty text gives an empty signature, and text with fewer than ``MIN_SHINGLES``
    shingles gives no bands: neither is ever found as a duplicate.
    """
    grams = shingles(text)
    if not grams:
        return Fingerprint(signature=b"", bands=[])
    signature = _SIGNATURE.pack(*_densify(_minimums(grams, key)))
    if len(grams) < MIN_SHINGLES:
        return Fingerprint(signature=signature, bands=[])
    return Fingerprint(signature=signature, bands=_bands(signature, key))


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures (0.0 to 1.0).

    Signatures of empty texts resemble nothing."""
    if len(a) != _SIGNATURE.size or len(b) != _SIGNATURE.size:
        return 0.0
    pairs = zip(_SIGNATURE.unpack(a), _SIGNATURE.unpack(b), strict=True)
    equal = sum(1 for x, y in pairs if x == y)
    return equal / K


def _minimums(grams: set[bytes], key: bytes) -> list[int]:
    keyed = hashlib.blake2b(digest_size=8, key=key, person=_SHINGLE_PERSON)
    slots = [_EMPTY] * K
    mask = K - 1  # K is a power of two: the low bits pick the slot.
    for gram in grams:
        hasher = keyed.copy()
        hasher.update(gram)
        value = int.from_bytes(hasher.digest(), "little")
        slot = value & mask
        value >>= 32
        if value < slots[slot]:
            slots[slot] = value
    return slots


def _densify(slots: list[int]) -> list[int]:
    """Fill each empty slot from the first originally non-empty slot in its own
    fixed probe order, the same for every text, so that two texts agree there with
    probability equal to their similarity."""
    return [
        next(slots[p] for p in _probe_order(slot) if slots[p] != _EMPTY)
        if value == _EMPTY
        else value
        for slot, value in enumerate(slots)
    ]


@functools.cache
def _probe_order(slot: int) -> tuple[int, ...]:
    # Public and fixed: it only decides which slot an empty slot copies from.
    def rank(other: int) -> bytes:
        return hashlib.blake2b(
            f"{slot}:{other}".encode(), digest_size=8, person=b"tipline-probe"
        ).digest()

    return tuple(sorted(range(K), key=rank))


def _bands(signature: bytes, key: bytes) -> list[int]:
    keyed = hashlib.blake2b(digest_size=8, key=key, person=_BAND_PERSON)
    width = ROWS * 4
    bands = []
    for band in range(BANDS):
        hasher = keyed.copy()
        hasher.update(band.to_bytes(2, "little"))
        hasher.update(signature[band * width : (band + 1) * width])
        # Signed, to fit a PostgreSQL bigint.
        bands.append(int.from_bytes(hasher.digest(), "little", signed=True))
    return bands
