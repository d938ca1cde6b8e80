"""Decoding PDF stream filters within a byte budget.

Threats handled: decompression bombs. qpdf decodes a stream in one piece with no
limit, so a few kilobytes of Flate or LZW data can make it inflate gigabytes.
These decoders stop as soon as the output passes ``limit`` and return None, so
the caller can treat the stream as one it could not look into.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from pikepdf import Array, Dictionary, Object, Stream

# Filters that compress pixels: their data is an image file, not more filters.
IMAGE_CODECS = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}
CHUNK_BYTES = 64 * 1024
_WHITESPACE = re.compile(rb"\s+")


class TooLarge(Exception):
    """The decoded data would pass the budget."""


def filters_of(stream: Stream) -> tuple[list[str], list[Object | None]]:
    """The stream's filter names and their parameters, as two aligned lists."""
    filters = stream.get("/Filter")
    listed: list[Object | None]
    listed = list(filters) if isinstance(filters, Array) else [filters]
    names = [str(name) for name in listed if name is not None]
    parms = stream.get("/DecodeParms")
    values: list[Object | None]
    values = list(parms) if isinstance(parms, Array) else [parms] * len(names)
    values += [None] * (len(names) - len(values))
    return names, values[: len(names)]


def _flate(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj()
    out = bytearray()
    pending = data
    while pending and not inflater.eof:
        out += inflater.decompress(pending, limit + 1 - len(out))
        if len(out) > limit:
            raise TooLarge
        pending = inflater.unconsumed_tail
    return bytes(out)


def _hex(data: bytes, limit: int) -> bytes:
    digits = _WHITESPACE.sub(b"", data.split(b">", 1)[0])
    if len(digits) % 2:
        digits += b"0"
    if len(digits) // 2 > limit:
        raise TooLarge
    return binascii.unhexlify(digits)


def _ascii85(data: bytes, limit: int) -> bytes:
    body = _WHITESPACE.sub(b"", data.split(b"~>", 1)[0]).removeprefix(b"<~")
    # "z" stands for four zero bytes; everything else shrinks by 4/5.
    if len(body) + 4 * body.count(b"z") > limit:
        raise TooLarge
    return base64.a85decode(body)


def _run_length(data: bytes, limit: int) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(data) and data[pos] != 128:
        length = data[pos]
        if length < 128:
            out += data[pos + 1 : pos + 2 + length]
            pos += 2 + length
        else:
            out += data[pos + 1 : pos + 2] * (257 - length)
            pos += 2
        if len(out) > limit:
            raise TooLarge
    return bytes(out)


def _lzw(data: bytes, limit: int) -> bytes:
    """LZW as PDF uses it (early change), with the output capped."""
    out = bytearray()
    table = [bytes([n]) for n in range(256)] + [b"", b""]
    width, bits, value, previous = 9, 0, 0, b""
    for byte in data:
        value, bits = (value << 8) | byte, bits + 8
        while bits >= width:
            bits -= width
            code = (value >> bits) & ((1 << width) - 1)
            if code == 256:
                table, width, previous = table[:258], 9, b""
                continue
            if code == 257:
                return bytes(out)
            if code < len(table):
                entry = table[code]
            elif previous:
                entry = previous + previous[:1]
            else:
                raise ValueError("bad LZW code")
            out += entry
            if len(out) > limit:
                raise TooLarge
            if previous:
                table.append(previous + entry[:1])
            previous = entry
            if len(table) + 1 >= (1 << width) and width < 12:
                width += 1
    return bytes(out)


DECODERS = {
    "/FlateDecode": _flate,
    "/Fl": _flate,
    "/ASCIIHexDecode": _hex,
    "/AHx": _hex,
    "/ASCII85Decode": _ascii85,
    "/A85": _ascii85,
    "/RunLengthDecode": _run_length,
    "/RL": _run_length,
    "/LZWDecode": _lzw,
    "/LZW": _lzw,
}


def _predicted(parms: Object | None) -> bool:
    return isinstance(parms, Dictionary) and int(parms.get("/Predictor", 1)) > 1


def decode(data: bytes, filters: list[str], limit: int) -> bytes | None:
    """``data`` with the general filters applied, or None if a filter is unknown,
    fails, or the output would pass ``limit`` bytes.

    Predictors (a per-row transformation of pixel rows and cross-reference
    tables) are not undone: nothing that readers take as metadata is stored in
    predicted data, and undoing them in Python would cost seconds per photo.
    """
    for name in filters:
        decoder = DECODERS.get(name)
        if decoder is None:
            return None
        try:
            data = decoder(data, limit)
        except (TooLarge, ValueError, zlib.error, binascii.Error):
            return None
    return data


def image_payload(
    stream: Stream, limit: int
) -> tuple[str, bytes, Object | None] | None:
    """For an image stream whose filters end in an image codec: the codec, the
    codec's data (earlier filters undone within ``limit``) and its parameters."""
    names, parms = filters_of(stream)
    if not names or names[-1] not in IMAGE_CODECS:
        return None
    if any(_predicted(options) for options in parms[:-1]):
        return None  # the codec's data would not come out intact
    raw = stream.read_raw_bytes()
    payload = decode(raw, names[:-1], limit)
    if payload is None:
        return None
    return names[-1], payload, parms[-1]
