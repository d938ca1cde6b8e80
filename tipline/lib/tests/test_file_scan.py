"""The receiver's check for a file in a multipart body (tipline/lib/slowbody.py)
decides which threads run a request: a file the check misses would be scrubbed
on an application thread, where a hostile one holds every page (issue 12). So
Django's own multipart parser is the judge here: whenever it makes an upload of
a part, the check must have said "file", however the header is spelt and
wherever the body is cut into chunks."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from hypothesis import given
from hypothesis import strategies as st

from tipline.lib.slowbody import _FileScan

BOUNDARY = "----tipline-boundary"

# Spellings of a part's header, and whether Django makes an upload of the part.
DISPOSITIONS = [
    ('form-data; name="files"; filename="photo.jpg"', True),
    ('form-data; name="files"; FILENAME="photo.jpg"', True),
    ('form-data; name="files"; FileName=photo.jpg', True),
    ('form-data; name="files"; filename = "photo.jpg"', True),
    ("form-data; name=\"files\"; filename*=UTF-8''%E7%85%A7.jpg", True),
    ('form-data; name="files"; filename*0="pho"; filename*1="to.jpg"', True),
    ('form-data; name="files"; filename=""x', True),
    ('form-data; name="files"; filename=" "', True),
    ('form-data; filename="a.txt"; name="files"', True),
    ('form-data; name="files"; filename=""', False),  # a file field left empty
    ('form-data; name="files"; filename="";', False),
    ('form-data; name="files"; filename="/"', False),
    ('form-data; name="what_happened"', False),
]


def body(disposition: str, content: bytes = b"content of the part") -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def django_sees_a_file(data: bytes) -> bool:
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(data)),
    }
    handlers = [MemoryFileUploadHandler()]
    try:
        _post, files = MultiPartParser(meta, io.BytesIO(data), handlers).parse()
    except (MultiPartParserError, ValueError):
        return False
    return bool(files)


def scanned(data: bytes, cuts: list[int]) -> bool:
    scan = _FileScan()
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    for index, piece in enumerate(pieces):
        scan.feed(piece, last=index == len(pieces) - 1)
    return scan.found


@pytest.mark.parametrize(("disposition", "upload"), DISPOSITIONS)
def test_every_part_django_makes_a_file_of_is_seen_as_one(disposition, upload):
    data = body(disposition)
    assert django_sees_a_file(data) is upload
    if upload:
        assert scanned(data, [])
        for cut in range(1, len(data)):
            assert scanned(data, [cut]), (disposition, cut)


def test_an_empty_file_field_and_a_text_only_form_are_not_files():
    text_only = body('form-data; name="what_happened"', b"a stranger asked")
    empty_field = body('form-data; name="files"; filename=""', b"")
    assert not scanned(text_only, [])
    assert not scanned(empty_field, [])
    assert not scanned(empty_field, [len(empty_field) // 2])


@given(
    name=st.text(alphabet="filenameFILENAME*0 =;\"'x", min_size=1, max_size=24),
    content=st.binary(max_size=40),
    cuts=st.lists(st.integers(min_value=1, max_value=200), max_size=4),
)
def test_no_spelling_hides_a_file_from_the_check(name, content, cuts):
    data = body(f'form-data; name="files"; {name}', content)
    points = sorted({cut for cut in cuts if cut < len(data)})
    if django_sees_a_file(data):
        assert scanned(data, points)
