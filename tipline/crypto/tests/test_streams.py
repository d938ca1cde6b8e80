import hashlib
import io
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tipline import crypto
from tipline.crypto.keys import DecryptionFailed
from tipline.crypto.streams import CHUNK


def encrypt_all(key, data):
    return b"".join(crypto.encrypt_stream(key, io.BytesIO(data)))


def decrypt_all(key, blob):
    return b"".join(crypto.decrypt_stream(key, io.BytesIO(blob)))


@settings(max_examples=30, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.integers(0, 3).map(lambda n: b"\x07" * (CHUNK * n)),
        st.integers(1, 3).map(lambda n: b"\x07" * (CHUNK * n + 5)),
    )
)
def test_stream_round_trips_at_every_size(data):
    key = crypto.new_data_key()
    blob = encrypt_all(key, data)
    assert decrypt_all(key, blob) == data
    if len(data) >= 16:
        assert data[:16] not in blob


def test_reader_yields_the_same_ciphertext_layout_in_any_read_size():
    key = crypto.new_data_key()
    data = bytes(range(256)) * 1000
    reader = crypto.EncryptingReader(key, io.BytesIO(data))
    pieces = []
    while piece := reader.read(7777):
        pieces.append(piece)
    assert decrypt_all(key, b"".join(pieces)) == data


def test_wrong_key_is_refused():
    blob = encrypt_all(crypto.new_data_key(), b"evidence")
    with pytest.raises(crypto.DecryptionFailed):
        decrypt_all(crypto.new_data_key(), blob)


@pytest.mark.parametrize("cut", [1, 17, CHUNK + 24 + 17])
def test_truncated_stream_is_refused(cut):
    key = crypto.new_data_key()
    blob = encrypt_all(key, b"x" * (CHUNK * 2 + 10))
    with pytest.raises(crypto.DecryptionFailed):
        decrypt_all(key, blob[:-cut])


def test_dropping_a_whole_middle_chunk_is_refused():
    key = crypto.new_data_key()
    blob = encrypt_all(key, b"x" * (CHUNK * 3))
    block = CHUNK + 17
    without_second = blob[: 24 + block] + blob[24 + 2 * block :]
    with pytest.raises(crypto.DecryptionFailed):
        decrypt_all(key, without_second)


@given(position=st.integers(0, 10_000))
def test_any_flipped_bit_is_refused(position):
    key = crypto.new_data_key()
    blob = bytearray(encrypt_all(key, b"evidence" * 100))
    blob[position % len(blob)] ^= 0x80
    with pytest.raises(crypto.DecryptionFailed):
        decrypt_all(key, bytes(blob))


def test_trailing_garbage_is_refused():
    key = crypto.new_data_key()
    with pytest.raises(crypto.DecryptionFailed):
        decrypt_all(key, encrypt_all(key, b"evidence") + b"more")


def test_file_keys_differ_per_salt_and_per_master_key():
    master = crypto.new_data_key()
    salt = crypto.new_salt()
    assert crypto.derive_file_key(master, salt) == crypto.derive_file_key(master, salt)
    assert crypto.derive_file_key(master, salt) != crypto.derive_file_key(
        master, crypto.new_salt()
    )
    assert crypto.derive_file_key(master, salt) != crypto.derive_file_key(
        crypto.new_data_key(), salt
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=3 * CHUNK), min_size=0, max_size=5))
def test_spool_gives_back_what_was_written_in_any_pieces(pieces):
    with crypto.EncryptedSpool() as spool:
        for piece in pieces:
            spool.write(piece)
        spool.finish()
        joined = b"".join(pieces)
        assert spool.reader().read() == joined
        assert spool.size == len(joined)
        assert spool.sha256 == hashlib.sha256(joined).hexdigest()


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(0, 4 * CHUNK),
    reads=st.lists(st.tuples(st.integers(0, 5 * CHUNK), st.integers(0, 2 * CHUNK))),
)
def test_spool_reads_back_from_any_position(size, reads):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    with crypto.EncryptedSpool() as spool:
        spool.write(data)
        spool.finish()
        reader = spool.reader()
        for position, length in reads:
            reader.seek(position)
            assert reader.read(length) == data[position : position + length]
        reader.seek(-min(size, 10), io.SEEK_END)
        assert reader.read() == data[len(data) - min(size, 10) :]


def test_an_altered_or_swapped_spool_chunk_is_refused():
    data = b"a" * CHUNK + b"b" * CHUNK + b"c" * 10
    with crypto.EncryptedSpool() as spool:
        spool.write(data)
        spool.finish()
        sealed = CHUNK + 16
        spool._file.seek(0)
        first, second = spool._file.read(sealed), spool._file.read(sealed)
        spool._file.seek(0)
        spool._file.write(second + first)  # the chunks swapped
        with pytest.raises(DecryptionFailed):
            spool.reader().read()
        spool._file.seek(0)
        spool._file.write(first[:-1] + bytes([first[-1] ^ 1]))  # one bit flipped
        with pytest.raises(DecryptionFailed):
            spool.read_chunk(0)


def test_spool_keeps_only_ciphertext_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    marker = b"spooled evidence marker " * 10_000
    with crypto.EncryptedSpool() as spool:
        spool.write(marker)
        spool.finish()
        spool._file.flush()
        spool._file.seek(0)
        on_disk = spool._file.read()
        assert len(on_disk) > len(marker)
        assert b"spooled evidence marker" not in on_disk
        # Unlinked at once: nothing under the temporary directory has a name.
        assert list(tmp_path.iterdir()) == []


def test_spool_refuses_writes_after_finish_and_reads_before():
    with crypto.EncryptedSpool() as spool:
        spool.write(b"abc")
        with pytest.raises(ValueError, match="not finished"):
            spool.reader()
        spool.finish()
        with pytest.raises(ValueError, match="already finished"):
            spool.write(b"more")
