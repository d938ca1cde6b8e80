"""Tests for tipline.scrub: type detection and metadata removal.

Every sample file is built in memory with the real libraries (Pillow, pikepdf,
mutagen, zipfile, wave), then cleaned, then inspected with those libraries again.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib
import io
import pkgutil
import re
import struct
import wave
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen import apev2
from mutagen.id3 import APIC, ID3, TIT2, TPE1
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from pikepdf import Dictionary, Name
from PIL import Image, ImageFile, PngImagePlugin

import tipline.scrub as scrub
from tipline import crypto
from tipline.scrub import (
    Cleaned,
    FileRejected,
    Remaining,
    clean_file,
    clean_upload,
    zipsafe,
)
from tipline.scrub.messages import (
    REJECTION_MESSAGES,
    REMAINING_LABELS,
    REMOVED_LABELS,
)
from tipline.scrub.parts import PartRule

SECRET = "Jane Reporter"
RED, BLUE = (255, 0, 0), (0, 0, 255)


def rejected(data: bytes) -> str:
    with pytest.raises(FileRejected) as caught:
        clean_file(data)
    return caught.value.code


def noise(seed: bytes, size: int) -> bytes:
    """Deterministic pseudo-random bytes, so failures can be reproduced."""
    return hashlib.shake_256(seed).digest(size)


def is_colour(pixel: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], expected, strict=True))


# --- Images ----------------------------------------------------------------


def quadrant_image(size: tuple[int, int] = (64, 32)) -> Image.Image:
    """Blue, with the top-left quarter red: shows where a rotation moved it."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1] // 2))
    return image


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS 5D"
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x0131] = "Camera firmware 1.0"
    exif.get_ifd(0x8769)[0xA431] = "SN-123456"
    exif.get_ifd(0x8769)[0x9003] = "2024:03:01 09:15:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 26.5)
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    return exif


def camera_jpeg() -> bytes:
    out = io.BytesIO()
    quadrant_image().save(
        out, "JPEG", exif=camera_exif(), comment=b"shot by Jane Reporter"
    )
    return out.getvalue()


def png_chunks(data: bytes) -> list[bytes]:
    kinds, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        kinds.append(kind)
        pos += 12 + length
    return kinds


def forged_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


def test_jpeg_camera_metadata_removed_and_orientation_applied() -> None:
    source = camera_jpeg()
    latitude_seconds = struct.pack(">II", 53, 2)  # 26.5 as an EXIF rational
    assert b"SN-123456" in source
    assert latitude_seconds in source

    cleaned = clean_file(source)

    assert (cleaned.kind, cleaned.content_type, cleaned.extension) == (
        "image",
        "image/jpeg",
        ".jpg",
    )
    assert cleaned.fully_cleaned
    for code in ("gps", "camera_serial", "camera_model", "datetime", "comment"):
        assert code in cleaned.removed
    assert "software" in cleaned.removed
    assert b"SN-123456" not in cleaned.data
    assert latitude_seconds not in cleaned.data
    assert b"Exif\x00\x00" not in cleaned.data
    assert b"Jane Reporter" not in cleaned.data
    image = Image.open(io.BytesIO(cleaned.data))
    assert not image.getexif()
    assert [marker for marker, _ in image.applist] == ["APP0"]
    # Orientation 6: the 64x32 picture is shown 32x64, turned clockwise, so the
    # red top-left quarter is now the top-right quarter.
    assert image.size == (32, 64)
    rgb = image.convert("RGB")
    assert is_colour(rgb.getpixel((24, 8)), RED)
    assert is_colour(rgb.getpixel((8, 8)), BLUE)
    assert is_colour(rgb.getpixel((24, 48)), BLUE)


def test_png_text_and_xmp_removed() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_text("Comment", "taken at the depot")
    xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/">Jane Reporter</x:xmpmeta>'
    info.add_itxt("XML:com.adobe.xmp", xmp)
    out = io.BytesIO()
    quadrant_image().save(out, "PNG", pnginfo=info)

    cleaned = clean_file(out.getvalue())

    assert cleaned.content_type == "image/png"
    assert {"author", "xmp", "comment"} <= set(cleaned.removed)
    assert SECRET.encode() not in cleaned.data
    assert not {b"tEXt", b"iTXt", b"zTXt", b"eXIf"} & set(png_chunks(cleaned.data))
    assert Image.open(io.BytesIO(cleaned.data)).getpixel((0, 0)) == RED


def test_png_keeps_palette_and_transparency() -> None:
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 0, 0])
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)

    cleaned = clean_file(out.getvalue())

    reopened = Image.open(io.BytesIO(cleaned.data))
    assert reopened.mode == "P"
    assert reopened.convert("RGBA").getpixel((0, 0)) == (255, 0, 0, 255)
    assert reopened.info.get("transparency") == 0
    assert cleaned.removed == ()


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (10_000, 7_000), (9_500, 9_500)],
    ids=["pillow-bomb-error", "over-our-limit", "pillow-bomb-warning"],
)
def test_too_many_pixels_refused_before_decoding(width: int, height: int) -> None:
    assert rejected(forged_png(width, height)) == "too_many_pixels"


def test_loading_truncated_images_stays_disabled() -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_truncated_jpeg_is_damaged() -> None:
    noisy = Image.frombytes("RGB", (64, 64), noise(b"jpeg", 64 * 64 * 3))
    out = io.BytesIO()
    noisy.save(out, "JPEG")
    data = out.getvalue()
    assert rejected(data[: len(data) // 2]) == "damaged"


def test_garbage_after_jpeg_marker_is_damaged() -> None:
    garbage = noise(b"garbage", 2000).replace(b"PK", b"pk")
    assert rejected(b"\xff\xd8\xff" + garbage) == "damaged"


def test_webp_gif_and_animation_frames_kept() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in (RED, BLUE, RED)]
    for fmt, content_type in (("GIF", "image/gif"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        frames[0].save(
            out,
            fmt,
            save_all=True,
            append_images=frames[1:],
            duration=100,
            loop=0,
            comment=b"Jane Reporter" if fmt == "GIF" else None,
        )
        cleaned = clean_file(out.getvalue())
        reopened = Image.open(io.BytesIO(cleaned.data))
        assert cleaned.content_type == content_type
        assert reopened.n_frames == 3
        reopened.seek(1)
        assert is_colour(reopened.convert("RGB").getpixel((8, 8)), BLUE)
        assert b"Jane Reporter" not in cleaned.data


def test_webp_exif_and_icc_removed() -> None:
    out = io.BytesIO()
    quadrant_image().save(
        out, "WEBP", exif=camera_exif(), icc_profile=b"fake", lossless=True
    )
    cleaned = clean_file(out.getvalue())
    reopened = Image.open(io.BytesIO(cleaned.data))
    assert {"gps", "camera_serial"} <= set(cleaned.removed)
    assert not reopened.getexif()
    assert "icc_profile" not in reopened.info
    assert reopened.size == (32, 64)


def test_heic_is_reencoded_as_jpeg_without_exif() -> None:
    out = io.BytesIO()
    exif = camera_exif()
    exif[0x0112] = 1
    quadrant_image().save(out, "HEIF", exif=exif.tobytes(), quality=90)

    cleaned = clean_file(out.getvalue())

    assert (cleaned.content_type, cleaned.extension) == ("image/jpeg", ".jpg")
    assert {"gps", "camera_serial", "camera_model"} <= set(cleaned.removed)
    reopened = Image.open(io.BytesIO(cleaned.data))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert reopened.size == (64, 32)
    assert b"SN-123456" not in cleaned.data


# --- PDF -------------------------------------------------------------------


def exif_jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), RED).save(out, "JPEG", exif=camera_exif())
    return out.getvalue()


def sample_pdf() -> tuple[bytes, list[bytes]]:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    with pdf.open_metadata() as meta:
        meta["dc:creator"] = [SECRET]
    pdf.docinfo["/Author"] = SECRET
    pdf.docinfo["/Title"] = "Invoices to check"
    pdf.docinfo["/Creator"] = "Reporter's Word 2019"
    pdf.docinfo["/Keywords"] = "depot"
    pdf.attachments["secret.txt"] = pikepdf.AttachedFileSpec(
        pdf, b"attached secret content"
    )
    pdf.Root.OpenAction = Dictionary(
        S=Name.JavaScript, JS=pikepdf.String("app.alert('hello')")
    )
    page = pdf.pages[0]
    page.obj.AA = Dictionary(O=Dictionary(S=Name.Launch, F="calc.exe"))
    photo = pikepdf.Stream(
        pdf,
        exif_jpeg_bytes(),
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=8,
        Height=8,
        ColorSpace=Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=Name.DCTDecode,
    )
    page.obj.Resources = Dictionary(XObject=Dictionary(Im0=photo))
    page.obj.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.Link,
                    Rect=[0, 0, 10, 10],
                    A=Dictionary(S=Name.JavaScript, JS="this.submitForm()"),
                ),
                Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.Text,
                    Rect=[20, 20, 40, 40],
                    Contents="Check page 3",
                    T=SECRET,
                    M="D:20240301091500Z",
                ),
            ]
        )
    )
    out = io.BytesIO()
    pdf.save(out)
    with pikepdf.open(io.BytesIO(out.getvalue())) as reopened:
        ids = [bytes(part) for part in reopened.trailer.ID]
    return out.getvalue(), ids


def all_stream_bytes(pdf: pikepdf.Pdf) -> bytes:
    """Every stream's content, decompressed where it is not an image codec."""
    streams = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]
    return b"".join(
        obj.read_raw_bytes() if obj.get("/Filter") == "/DCTDecode" else obj.read_bytes()
        for obj in streams
    )


def test_pdf_metadata_attachments_scripts_and_ids_removed() -> None:
    source, ids = sample_pdf()
    assert ids
    assert all(ids)

    cleaned = clean_file(source)

    assert (cleaned.kind, cleaned.content_type, cleaned.extension) == (
        "pdf",
        "application/pdf",
        ".pdf",
    )
    expected = {
        "author",
        "title",
        "software",
        "document_ids",
        "xmp",
        "embedded_files",
        "javascript",
        "embedded_image_metadata",
        "other_metadata",
        "comment_authors",
        "datetime",
    }
    assert expected == set(cleaned.removed)
    output = cleaned.open().read()
    assert cleaned.size == len(output)
    assert cleaned.sha256 == hashlib.sha256(output).hexdigest()
    assert SECRET.encode() not in output
    assert b"JavaScript" not in output
    for part in ids:
        assert part not in output
        assert part.hex().encode() not in output.lower()
    with pikepdf.open(io.BytesIO(output)) as pdf:
        assert "/Info" not in pdf.trailer or not pdf.trailer.Info.keys()
        assert "/Metadata" not in pdf.Root
        assert "/OpenAction" not in pdf.Root
        assert "/Names" not in pdf.Root or "/EmbeddedFiles" not in pdf.Root.Names
        assert len(pdf.attachments) == 0
        page = pdf.pages[0]
        assert "/AA" not in page.obj
        link, note = page.obj.Annots
        assert "/A" not in link
        assert (str(note.T), str(note.Contents)) == ("Author", "Check page 3")
        assert "/M" not in note
        streams = all_stream_bytes(pdf)
        assert b"attached secret content" not in streams
        assert SECRET.encode() not in streams
        photo = page.obj.Resources.XObject.Im0.read_raw_bytes()
        assert photo.startswith(b"\xff\xd8")
        assert b"SN-123456" not in photo
        assert Image.open(io.BytesIO(photo)).getpixel((4, 4))[0] > 200


@pytest.mark.parametrize("user", ["u", ""], ids=["user-password", "owner-only"])
def test_encrypted_pdf_refused(user: str) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user=user))
    assert rejected(out.getvalue()) == "encrypted"


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n1 0 obj << /Type /Catalog", b"%PDF-1.4\n" + bytes(range(1, 200))],
)
def test_garbage_pdf_is_damaged(data: bytes) -> None:
    assert rejected(data) == "damaged"


# --- Office ----------------------------------------------------------------

OPENXML = "http://schemas.openxmlformats.org"
OOXML = "application/vnd.openxmlformats-officedocument"
W_NS = f"{OPENXML}/wordprocessingml/2006/main"
OFFICE_REL = f"{OPENXML}/officeDocument/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def content_types(overrides: dict[str, str]) -> str:
    entries = "".join(
        f'<Override PartName="{part}" ContentType="{kind}"/>'
        for part, kind in overrides.items()
    )
    namespace = f"{OPENXML}/package/2006/content-types"
    return f'{XML_DECLARATION}<Types xmlns="{namespace}">{entries}</Types>'


def relationships(targets: dict[str, str]) -> str:
    entries = "".join(
        f'<Relationship Id="rId{n}" Type="{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(targets.items())
    )
    namespace = f"{OPENXML}/package/2006/relationships"
    return (
        f'{XML_DECLARATION}<Relationships xmlns="{namespace}">{entries}</Relationships>'
    )


def word_part(root: str, body: str) -> str:
    return f'{XML_DECLARATION}<w:{root} xmlns:w="{W_NS}">{body}</w:{root}>'


CORE_XML = f"""{XML_DECLARATION}<cp:coreProperties
 xmlns:cp="{OPENXML}/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Depot audit</dc:title><dc:creator>Jane Reporter</dc:creator>
<cp:lastModifiedBy>Boss Person</cp:lastModifiedBy><cp:revision>7</cp:revision>
<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T09:00:00Z</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">2024-03-02T10:00:00Z</dcterms:modified>
</cp:coreProperties>"""
DOCX_PARTS = {
    "[Content_Types].xml": content_types(
        {
            "/word/document.xml": f"{OOXML}.wordprocessingml.document.main+xml",
            "/word/comments.xml": f"{OOXML}.wordprocessingml.comments+xml",
            "/word/settings.xml": f"{OOXML}.wordprocessingml.settings+xml",
            "/docProps/core.xml": "application/vnd.openxmlformats-package.core"
            "-properties+xml",
            "/docProps/app.xml": f"{OOXML}.extended-properties+xml",
            "/docProps/custom.xml": f"{OOXML}.custom-properties+xml",
        }
    ),
    "_rels/.rels": relationships(
        {
            f"{OFFICE_REL}/officeDocument": "word/document.xml",
            f"{OPENXML}/package/2006/relationships/metadata/core-properties": (
                "docProps/core.xml"
            ),
            f"{OFFICE_REL}/extended-properties": "docProps/app.xml",
            f"{OFFICE_REL}/custom-properties": "docProps/custom.xml",
        }
    ),
    "word/_rels/document.xml.rels": relationships(
        {
            f"{OFFICE_REL}/comments": "comments.xml",
            f"{OFFICE_REL}/settings": "settings.xml",
        }
    ),
    "word/document.xml": word_part(
        "document",
        """<w:body><w:p w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3">
<w:r w:rsidRPr="00D4E5F6">
<w:t xml:space="preserve">The forklift logs were altered. </w:t></w:r>
<w:ins w:id="1" w:author="Jane Reporter" w:date="2024-03-01T09:15:00Z">
<w:r><w:t>Added later.</w:t></w:r></w:ins><w:commentRangeStart w:id="0"/>
<w:r><w:t>See note.</w:t></w:r><w:commentRangeEnd w:id="0"/>
<w:r><w:commentReference w:id="0"/></w:r></w:p>
<w:sectPr w:rsidR="00A1B2C3"/></w:body>""",
    ),
    "word/comments.xml": word_part(
        "comments",
        """<w:comment w:id="0" w:author="Jane Reporter" w:initials="JR"
 w:date="2024-03-01T09:16:00Z"><w:p><w:r><w:t>Check the date.</w:t></w:r></w:p>
</w:comment>""",
    ),
    "word/settings.xml": word_part(
        "settings",
        """<w:zoom w:percent="100"/><w:rsids><w:rsidRoot w:val="00A1B2C3"/>
<w:rsid w:val="00A1B2C3"/><w:rsid w:val="00D4E5F6"/></w:rsids>""",
    ),
    "word/people.xml": f"""{XML_DECLARATION}<w15:people
 xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">
<w15:person w15:author="Jane Reporter"><w15:presenceInfo w15:providerId="AD"
 w15:userId="S::jane.reporter@example.org::1234"/></w15:person></w15:people>""",
    "docProps/core.xml": CORE_XML,
    "docProps/app.xml": f"""{XML_DECLARATION}<Properties
 xmlns="{OPENXML}/officeDocument/2006/extended-properties">
<Template>Normal.dotm</Template><TotalTime>5</TotalTime>
<Application>Microsoft Office Word</Application><Company>Acme Corp</Company>
<Manager>Boss Person</Manager></Properties>""",
    "docProps/custom.xml": f"""{XML_DECLARATION}<Properties
 xmlns="{OPENXML}/officeDocument/2006/custom-properties"
 xmlns:vt="{OPENXML}/officeDocument/2006/docPropsVTypes">
<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Department">
<vt:lpwstr>Jane Reporter's team</vt:lpwstr></property></Properties>""",
}
SPREADSHEET_NS = f"{OPENXML}/spreadsheetml/2006/main"
XLSX_PARTS = {
    "[Content_Types].xml": content_types(
        {"/xl/workbook.xml": f"{OOXML}.spreadsheetml.sheet.main+xml"}
    ),
    "xl/workbook.xml": f'<workbook xmlns="{SPREADSHEET_NS}"><sheets/></workbook>',
    "docProps/core.xml": CORE_XML,
}


def make_zip(parts: dict[str, str | bytes], stored: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            compression = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=compression)
    return out.getvalue()


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_docx_people_revisions_and_properties_removed() -> None:
    parts: dict[str, str | bytes] = dict(DOCX_PARTS)
    parts["word/media/image1.jpeg"] = exif_jpeg_bytes()
    parts["word/embeddings/Microsoft_Excel_Worksheet.xlsx"] = make_zip(XLSX_PARTS)

    cleaned = clean_file(make_zip(parts))

    assert (cleaned.kind, cleaned.extension) == ("office", ".docx")
    assert cleaned.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert set(cleaned.removed) == {
        "author",
        "last_modified_by",
        "comment_authors",
        "company",
        "template",
        "title",
        "datetime",
        "revision_ids",
        "custom_properties",
        "embedded_image_metadata",
    }
    members = unzip(cleaned.data)
    assert "docProps/custom.xml" not in members
    assert list(members) == [name for name in parts if name != "docProps/custom.xml"]
    for name, content in members.items():
        for secret in (b"Jane Reporter", b"jane.", b"Boss", b"Acme", b"rsid"):
            assert secret not in content, (name, secret)
        assert b"custom.xml" not in content, name
        assert b"SN-123456" not in content, name
    document = members["word/document.xml"]
    assert b"The forklift logs were altered." in document
    assert b"Added later." in document
    assert b'w:author="Author"' in document
    assert b'w:initials="A"' in members["word/comments.xml"]
    assert b"Check the date." in members["word/comments.xml"]
    assert b"2024-03" not in members["docProps/core.xml"]
    assert (
        b"<Application>Microsoft Office Word</Application>"
        in (members["docProps/app.xml"])
    )
    embedded = unzip(members["word/embeddings/Microsoft_Excel_Worksheet.xlsx"])
    assert b"Jane Reporter" not in embedded["docProps/core.xml"]
    assert b"<sheets/>" in embedded["xl/workbook.xml"]


def test_xlsx_and_pptx_comment_authors_replaced() -> None:
    xlsx = dict(XLSX_PARTS)
    xlsx["xl/workbook.xml"] = f"""<workbook xmlns="{SPREADSHEET_NS}"
 xmlns:mc="{OPENXML}/markup-compatibility/2006"
 xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac">
<mc:AlternateContent><mc:Choice Requires="x15ac">
<x15ac:absPath url="C:\\Users\\jane.reporter\\Documents\\"/>
</mc:Choice></mc:AlternateContent><sheets/></workbook>"""
    xlsx["xl/comments1.xml"] = (
        f'<comments xmlns="{SPREADSHEET_NS}"><authors>'
        "<author>Jane Reporter</author></authors></comments>"
    )
    xlsx["xl/persons/person.xml"] = (
        '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/'
        '2018/threadedcomments"><person displayName="Jane Reporter" id="{1}" '
        'userId="jane.reporter@example.org" providerId="AD"/></personList>'
    )
    cleaned = clean_file(make_zip(xlsx))
    assert cleaned.extension == ".xlsx"
    assert {"comment_authors", "file_path", "author"} <= set(cleaned.removed)
    for content in unzip(cleaned.data).values():
        assert b"jane" not in content.lower()
        assert b"AlternateContent" not in content

    pptx = {
        "[Content_Types].xml": content_types(
            {"/ppt/presentation.xml": f"{OOXML}.presentationml.presentation.main+xml"}
        ),
        "ppt/presentation.xml": "<p:presentation xmlns:p='urn:p'/>",
        "ppt/commentAuthors.xml": (
            "<p:cmAuthorLst xmlns:p='urn:p'><p:cmAuthor id='0' name='Jane Reporter'"
            " initials='JR' lastIdx='1' clrIdx='0'/></p:cmAuthorLst>"
        ),
    }
    cleaned = clean_file(make_zip(pptx))
    assert cleaned.extension == ".pptx"
    assert cleaned.removed == ("comment_authors",)
    authors = unzip(cleaned.data)["ppt/commentAuthors.xml"]
    assert b'name="Author"' in authors
    assert b'initials="A"' in authors


@pytest.mark.parametrize("part", ["word/comments.xml", "word/styles.xml"])
def test_office_part_with_doctype_is_damaged(part: str) -> None:
    parts = dict(DOCX_PARTS)
    parts[part] = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f'<w:comments xmlns:w="{W_NS}">&e;</w:comments>'
    )
    assert rejected(make_zip(parts)) == "damaged"


def test_macro_documents_and_other_zips_refused() -> None:
    macro = dict(DOCX_PARTS)
    macro["word/vbaProject.bin"] = "macro"
    assert rejected(make_zip(macro)) == "unsupported_type"
    assert rejected(make_zip({"notes.txt": "hello"})) == "unsupported_type"


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", DOCX_PARTS["[Content_Types].xml"])
        archive.writestr("_rels/.rels", DOCX_PARTS["_rels/.rels"])
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    return out.getvalue()


def test_decompression_bomb_refused(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < 2_000_000
    assert rejected(zip_bomb) == "zip_bomb"


def lying_docx(real_size: int, declared: int) -> bytes:
    """A DOCX whose document part claims ``declared`` bytes but inflates to more.

    The CRC is patched to match the first ``declared`` bytes, so zipfile itself
    does not notice: only a reader that trusts the size and stops there is safe.
    """
    content = b"<" + bytes(real_size - 1)
    parts: dict[str, str | bytes] = dict(DOCX_PARTS)
    parts["word/document.xml"] = content
    data = bytearray(make_zip(parts))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo("word/document.xml").header_offset
    central = data.rfind(b"word/document.xml") - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    crc = zlib.crc32(content[:declared])
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def test_lying_sizes_never_read_beyond_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    returned = []
    original = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        chunk = original(self, n)
        if self.name == "word/document.xml":
            returned.append(len(chunk))
        return chunk

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    data = lying_docx(real_size=20_000_000, declared=1000)

    assert rejected(data) == "damaged"  # the truncated part is not valid XML
    assert returned
    assert sum(returned) == 1000


def test_read_capped_stops_an_endless_stream() -> None:
    class Endless(io.RawIOBase):
        requested = 0

        def read(self, size: int = -1) -> bytes:
            self.requested += size
            return b"\x00" * size

    stream = Endless()
    with pytest.raises(FileRejected) as caught:
        zipsafe.read_capped(stream, 100_000)
    assert caught.value.code == "zip_bomb"
    assert stream.requested <= 100_001


def test_too_many_members_refused() -> None:
    parts: dict[str, str | bytes] = dict(DOCX_PARTS)
    parts.update({f"word/media/{n}.bin": b"" for n in range(zipsafe.MAX_MEMBERS)})
    assert rejected(make_zip(parts)) == "zip_bomb"


ODF = "urn:oasis:names:tc:opendocument:xmlns"
ODF_NAMESPACES = (
    f'xmlns:office="{ODF}:office:1.0" xmlns:meta="{ODF}:meta:1.0" '
    f'xmlns:text="{ODF}:text:1.0" xmlns:config="{ODF}:config:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
ODT_META = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {ODF_NAMESPACES} office:version="1.3"><office:meta>
<meta:initial-creator>Jane Reporter</meta:initial-creator>
<dc:creator>Boss Person</dc:creator>
<meta:generator>LibreOffice/7.6.4.1$Linux_X86_64</meta:generator>
<meta:editing-cycles>12</meta:editing-cycles>
<meta:creation-date>2024-03-01T09:00:00</meta:creation-date>
<meta:user-defined meta:name="Desk">4B</meta:user-defined>
<meta:document-statistic meta:page-count="1"/></office:meta></office:document-meta>"""
ODT_CONTENT = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {ODF_NAMESPACES}><office:body><office:text>
<text:p>Shipment records were changed.<office:annotation>
<dc:creator>Jane Reporter</dc:creator><meta:creator-initials>JR</meta:creator-initials>
<dc:date>2024-03-01T09:10:00</dc:date><text:p>Ask the driver.</text:p>
</office:annotation></text:p></office:text></office:body></office:document-content>"""
ODT_SETTINGS = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-settings {ODF_NAMESPACES}><office:settings>
<config:config-item-set config:name="ooo:configuration-settings">
<config:config-item config:name="PrinterName" config:type="string"
>Jane Reporter's HP LaserJet</config:config-item>
<config:config-item config:name="AddParaTableSpacing" config:type="boolean"
>true</config:config-item>
</config:config-item-set></office:settings></office:document-settings>"""
ODT_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="{ODF}:manifest:1.0" manifest:version="1.3">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def sample_odt(**extra: str | bytes) -> bytes:
    parts = {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "META-INF/manifest.xml": ODT_MANIFEST,
        "meta.xml": ODT_META,
        "content.xml": ODT_CONTENT,
        "settings.xml": ODT_SETTINGS,
        **extra,
    }
    return make_zip(parts, stored=("mimetype",))


def test_odt_meta_and_annotation_authors_removed() -> None:
    chart_meta = ODT_META.replace("Jane Reporter", "Jane Reporter (chart)")
    photo = {"Pictures/1.jpg": exif_jpeg_bytes()}
    cleaned = clean_file(sample_odt(**{"Object 1/meta.xml": chart_meta}, **photo))

    assert (cleaned.extension, cleaned.content_type) == (
        ".odt",
        "application/vnd.oasis.opendocument.text",
    )
    assert set(cleaned.removed) == {
        "author",
        "comment_authors",
        "datetime",
        "software",
        "other_metadata",
        "embedded_image_metadata",
    }
    assert cleaned.data[30:38] == b"mimetype"
    assert cleaned.data[38:77] == b"application/vnd.oasis.opendocument.text"
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    members = unzip(cleaned.data)
    for content in members.values():
        for secret in (b"Jane", b"Boss", b"LibreOffice", b"Desk", b"SN-123456"):
            assert secret not in content
    assert b"Shipment records were changed." in members["content.xml"]
    assert b"<dc:creator>Author</dc:creator>" in members["content.xml"]
    assert b"AddParaTableSpacing" in members["settings.xml"]


def test_odt_other_mimetypes_and_encryption_refused() -> None:
    spreadsheet = make_zip(
        {"mimetype": "application/vnd.oasis.opendocument.spreadsheet"},
        stored=("mimetype",),
    )
    assert rejected(spreadsheet) == "unsupported_type"
    encrypted_manifest = ODT_MANIFEST.replace(
        'manifest:media-type="text/xml"/>',
        'manifest:media-type="text/xml"><manifest:encryption-data/>'
        "</manifest:file-entry>",
    )
    encrypted = sample_odt(**{"META-INF/manifest.xml": encrypted_manifest})
    assert rejected(encrypted) == "encrypted"


# --- Audio and video -------------------------------------------------------


def mpeg_frames(count: int = 20) -> bytes:
    """MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz, each 417 bytes of silence."""
    return (b"\xff\xfb\x90\x64" + bytes(413)) * count


def tagged_mp3() -> bytes:
    buffer = io.BytesIO(mpeg_frames())
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Night shift"))
    tags.add(TPE1(encoding=3, text="Secret Artist"))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, data=exif_jpeg_bytes()))
    tags.save(buffer)
    ape = apev2.APEv2()
    ape["Artist"] = "Secret Artist"
    ape.save(buffer)
    v1 = b"TAG" + b"Title".ljust(30, b"\0") + b"Secret Artist".ljust(30, b"\0")
    buffer.seek(0, io.SEEK_END)
    buffer.write(v1 + bytes(128 - len(v1)))
    return buffer.getvalue()


def test_mp3_tags_removed() -> None:
    source = tagged_mp3()
    assert source.count(b"Secret Artist") == 3

    cleaned = clean_file(source)

    assert (cleaned.kind, cleaned.content_type, cleaned.extension) == (
        "audio",
        "audio/mpeg",
        ".mp3",
    )
    assert cleaned.removed == ("tags", "cover_art")
    assert b"Secret Artist" not in cleaned.data
    assert cleaned.data == mpeg_frames()
    assert MP3(io.BytesIO(cleaned.data)).tags is None


def riff_chunk(chunk_id: bytes, payload: bytes) -> bytes:
    pad = b"\0" if len(payload) % 2 else b""
    return chunk_id + struct.pack("<I", len(payload)) + payload + pad


def tagged_wav() -> tuple[bytes, bytes]:
    out = io.BytesIO()
    frames = bytes(range(256)) * 8
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(frames)
    info = b"INFO" + riff_chunk(b"IART", b"Secret Artist\0")
    data = bytearray(out.getvalue() + riff_chunk(b"LIST", info))
    struct.pack_into("<I", data, 4, len(data) - 8)
    return bytes(data), frames


def test_wav_list_info_removed_and_still_playable() -> None:
    source, frames = tagged_wav()

    cleaned = clean_file(source)

    assert (cleaned.content_type, cleaned.extension) == ("audio/wav", ".wav")
    assert cleaned.removed == ("tags",)
    assert b"Secret Artist" not in cleaned.data
    assert b"LIST" not in cleaned.data
    with wave.open(io.BytesIO(cleaned.data), "rb") as reader:
        assert (reader.getnchannels(), reader.getframerate()) == (1, 8000)
        assert reader.readframes(reader.getnframes()) == frames


def test_truncated_wav_is_damaged() -> None:
    source, _ = tagged_wav()
    assert rejected(source[:200]) == "damaged"


def ogg_opus(comments: list[str]) -> bytes:
    """Ogg Opus: identification and comment headers, then silent 20 ms packets."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    vendor = b"libopus 1.4"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor
    tags += struct.pack("<I", len(comments))
    for comment in comments:
        tags += struct.pack("<I", len(comment.encode())) + comment.encode()
    pages = []
    for sequence, (packets, position) in enumerate(
        [([head], 0), ([tags], 0), ([b"\xf8"] * 50, 50 * 960)]
    ):
        page = OggPage()
        page.serial, page.sequence, page.position = 0x7A6B, sequence, position
        page.packets = packets
        page.first, page.last = sequence == 0, sequence == 2
        pages.append(page.write())
    return b"".join(pages)


def test_ogg_opus_comments_removed() -> None:
    source = ogg_opus(["ARTIST=Secret Artist", "TITLE=Night shift"])
    assert OggOpus(io.BytesIO(source)).tags["artist"] == ["Secret Artist"]

    cleaned = clean_file(source)

    assert (cleaned.content_type, cleaned.extension) == ("audio/ogg", ".ogg")
    assert cleaned.removed == ("tags",)
    assert b"Secret Artist" not in cleaned.data
    reparsed = OggOpus(io.BytesIO(cleaned.data))
    assert not reparsed.tags
    assert reparsed.tags.vendor == "libopus 1.4"
    assert reparsed.info.length == pytest.approx(1.0, abs=0.01)


def mp4_box(kind: bytes, payload: bytes = b"", full: bool = False) -> bytes:
    if full:
        payload = bytes(4) + payload
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def m4a_file(mdat: bytes) -> bytes:
    """A minimal AAC-in-MP4 file: one track, one sample, recording timestamps."""
    when = 3_700_000_000
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = struct.pack(">IIII", when, when, 1000, 1000) + struct.pack(
        ">IH10x", 0x10000, 0x100
    )
    mvhd += matrix + bytes(24) + struct.pack(">I", 2)
    tkhd = struct.pack(">IIIII8xHHHH", when, when, 1, 0, 1000, 0, 0, 0x100, 0)
    tkhd += matrix + bytes(8)
    esds = bytes.fromhex("03190000000411401500000000000000000000000502158806010102")
    entry = bytes(6) + struct.pack(">H", 1) + bytes(8)
    entry += struct.pack(">HHHHI", 1, 16, 0, 0, 8000 << 16) + mp4_box(
        b"esds", esds, True
    )
    dref = struct.pack(">I", 1) + mp4_box(b"url ", b"", True)

    def moov(chunk_offset: int) -> bytes:
        stbl = b"".join(
            [
                mp4_box(b"stsd", struct.pack(">I", 1) + mp4_box(b"mp4a", entry), True),
                mp4_box(b"stts", struct.pack(">III", 1, 1, 8000), True),
                mp4_box(b"stsc", struct.pack(">IIII", 1, 1, 1, 1), True),
                mp4_box(b"stsz", struct.pack(">III", 0, 1, len(mdat)), True),
                mp4_box(b"stco", struct.pack(">II", 1, chunk_offset), True),
            ]
        )
        minf = mp4_box(b"smhd", bytes(4), True) + mp4_box(
            b"dinf", mp4_box(b"dref", dref, True)
        )
        mdia = mp4_box(
            b"mdhd", struct.pack(">IIIIHH", when, when, 8000, 8000, 0, 0), True
        )
        mdia += mp4_box(b"hdlr", bytes(4) + b"soun" + bytes(12) + b"Sound\0", True)
        mdia += mp4_box(b"minf", minf + mp4_box(b"stbl", stbl))
        trak = mp4_box(b"tkhd", tkhd, True) + mp4_box(b"mdia", mdia)
        location = mp4_box(b"\xa9xyz", b"\x00\x13\x15\xc7+51.5074-000.1278/")
        return mp4_box(
            b"moov",
            mp4_box(b"mvhd", mvhd, True)
            + mp4_box(b"trak", trak)
            + mp4_box(b"udta", location),
        )

    ftyp = mp4_box(b"ftyp", b"M4A \0\0\0\0M4A mp42isom")
    offset = len(ftyp) + len(moov(0)) + 8
    return ftyp + moov(offset) + mp4_box(b"mdat", mdat)


def test_m4a_tags_location_and_timestamps_removed() -> None:
    samples = b"\x21\x10\x05" + bytes(7)
    buffer = io.BytesIO(m4a_file(samples))
    audio = MP4(buffer)
    audio.add_tags()
    audio.tags["\xa9ART"] = "Secret Artist"
    audio.tags["covr"] = [MP4Cover(exif_jpeg_bytes(), MP4Cover.FORMAT_JPEG)]
    audio.save(buffer)

    cleaned = clean_file(buffer.getvalue())

    assert (cleaned.content_type, cleaned.extension) == ("audio/mp4", ".m4a")
    assert cleaned.removed == ("gps", "datetime", "tags", "cover_art")
    assert b"Secret Artist" not in cleaned.data
    assert b"+51.5074" not in cleaned.data
    assert struct.pack(">I", 3_700_000_000) not in cleaned.data
    reparsed = MP4(io.BytesIO(cleaned.data))
    assert not reparsed.tags
    assert reparsed.info.length == pytest.approx(1.0)
    stco = cleaned.data.index(b"stco")
    (chunk_offset,) = struct.unpack(">I", cleaned.data[stco + 12 : stco + 16])
    assert cleaned.data[chunk_offset : chunk_offset + len(samples)] == samples


@pytest.mark.parametrize(
    ("brand", "content_type", "extension"),
    [(b"isom", "video/mp4", ".mp4"), (b"qt  ", "video/quicktime", ".mov")],
)
def test_video_is_kept_unchanged_and_flagged(
    brand: bytes, content_type: str, extension: str
) -> None:
    video = mp4_box(b"ftyp", brand + bytes(4) + brand) + mp4_box(b"moov")
    video += mp4_box(b"mdat", b"frames")

    cleaned = clean_file(video)

    assert cleaned == Cleaned(
        data=video,
        kind="video",
        content_type=content_type,
        extension=extension,
        removed=(),
        fully_cleaned=False,
        remaining=(Remaining("video_metadata"),),
    )


# --- Polyglots, text and unsupported types --------------------------------


def test_jpeg_with_zip_appended_is_a_polyglot() -> None:
    appended = make_zip({"payload.txt": "hidden"})
    assert rejected(camera_jpeg() + appended) == "polyglot"


def test_png_with_pdf_inside_is_a_polyglot() -> None:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "%PDF-1.7 1 0 obj")
    quadrant_image().save(out, "PNG", pnginfo=info)
    assert rejected(out.getvalue()) == "polyglot"


def test_audio_with_zip_inside_is_a_polyglot() -> None:
    assert rejected(mpeg_frames() + make_zip({"a.txt": "x"})) == "polyglot"


def test_zip_signatures_occurring_by_chance_are_not_a_polyglot() -> None:
    frames = bytearray(mpeg_frames())
    # Bytes inside frame data that happen to spell zip signatures, as they do by
    # chance in large compressed media, are not an archive.
    frames[500:508] = b"PK\x03\x04PK\x05\x06"
    frames[-30:-22] = b"PK\x05\x06\x00\x00\x00\x00"
    assert clean_file(bytes(frames)).kind == "audio"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "unsupported_type"),
        (b"MZ\x90\x00\x03" + bytes(64), "unsupported_type"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
            "unsupported_type",
        ),
        (b"\xef\xbb\xbf  \n<!DOCTYPE html><p>hi", "unsupported_type"),
        (b"<HTML><body>hi</body></HTML>", "unsupported_type"),
        (b"\t<script>alert(1)</script>", "unsupported_type"),
        (b'<?xml version="1.0"?>\n<!-- x --><svg/>', "unsupported_type"),
        ("Café crème".encode("latin-1"), "unsupported_type"),
        (b"text with a \x00 NUL", "unsupported_type"),
        (b"text with an escape \x1b[31m", "unsupported_type"),
        (b"GIF89a" + bytes(20), "damaged"),
        (b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00" + bytes(9), "damaged"),
    ],
)
def test_refusals(data: bytes, code: str) -> None:
    assert rejected(data) == code


@pytest.mark.parametrize(
    "data",
    [
        b"Plain report.\r\nLine two\twith tab.\f",
        "\ufeffUnicode: café, Zürich, 東京, emoji 🙂".encode(),
        b"a < b and c > d; <svg> appears mid-text",
    ],
)
def test_plain_utf8_text_accepted_unchanged(data: bytes) -> None:
    assert clean_file(data) == Cleaned(
        data=data,
        kind="text",
        content_type="text/plain",
        extension=".txt",
        removed=(),
        fully_cleaned=True,
    )


# --- Codes and messages ----------------------------------------------------

SCRUB_DIR = Path(scrub.__file__).parent


def scrub_modules() -> list[object]:
    return [
        importlib.import_module(f"tipline.scrub.{info.name}")
        for info in pkgutil.iter_modules([str(SCRUB_DIR)])
    ]


def codes_in(value: object) -> set[str]:
    """The strings in a constant: dict values, tuples, sets and rule fields."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, PartRule):
        fields = [getattr(value, field.name) for field in dataclasses.fields(value)]
        return set().union(*(codes_in(field) for field in fields[1:]))
    if isinstance(value, dict):
        return set().union(set(), *(codes_in(item) for item in value.values()))
    if isinstance(value, tuple | list | set | frozenset):
        return set().union(set(), *(codes_in(item) for item in value))
    return set()


def codes_in_constants() -> set[str]:
    """Codes in module-level ``*_CODES`` constants and Office/ODT part rules."""
    codes: set[str] = set()
    for module in scrub_modules():
        for name, value in vars(module).items():
            if name.endswith("_CODES") or name.endswith(("RULE", "RULES")):
                codes |= codes_in(value)
    # PartRule neutral values ("Author", "A") are replacements, not codes.
    return {code for code in codes if re.fullmatch(r"[a-z][a-z_]*", code)}


def literal_codes() -> tuple[set[str], set[str]]:
    """String literals that flow into ``found`` sets and into FileRejected(...)."""
    removed: set[str] = set()
    rejections: set[str] = set()
    for path in SCRUB_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            func = getattr(node, "func", None)
            if isinstance(node, ast.Assign | ast.AugAssign) and any(
                isinstance(target, ast.Name) and target.id == "found"
                for target in targets
            ):
                removed |= constants_in(node.value)
            elif isinstance(func, ast.Attribute) and func.attr in ("add", "update"):
                if isinstance(func.value, ast.Name) and func.value.id == "found":
                    removed |= constants_in(node)
            elif isinstance(func, ast.Name) and func.id == "FileRejected":
                rejections |= constants_in(node)
    return removed, rejections


def remaining_literals() -> set[str]:
    """The first argument of every ``state.add(...)`` in the final check."""
    tree = ast.parse((SCRUB_DIR / "verify.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "add"
            and isinstance(func.value, ast.Name)
            and func.value.id == "state"
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(node.args[0].value)
    assert {"unchecked", "xmp", "embedded_object"} <= found
    return found


def constants_in(node: ast.AST) -> set[str]:
    return {
        child.value
        for child in ast.walk(node)
        if isinstance(child, ast.Constant) and isinstance(child.value, str)
    }


def test_every_code_has_a_message() -> None:
    removed_literals, rejection_literals = literal_codes()
    assert {"gps", "tags", "comment_authors"} <= removed_literals | codes_in_constants()
    assert {"damaged", "zip_bomb", "empty"} <= rejection_literals
    known = set(REMOVED_LABELS) | set(REJECTION_MESSAGES) | set(REMAINING_LABELS)
    assert codes_in_constants() <= known, codes_in_constants() - known
    assert set(REMAINING_LABELS) == set(scrub.REMAINING_CODES)
    assert remaining_literals() <= set(REMAINING_LABELS), remaining_literals()
    assert removed_literals <= set(REMOVED_LABELS), removed_literals
    assert rejection_literals <= set(REJECTION_MESSAGES), rejection_literals
    assert set(REMOVED_LABELS) == set(scrub.REMOVED_CODES)
    assert set(REJECTION_MESSAGES) == set(scrub.REJECTION_CODES)
    for message in [*REMOVED_LABELS.values(), *REJECTION_MESSAGES.values()]:
        assert str(message).strip()


def test_unknown_codes_cannot_be_emitted() -> None:
    with pytest.raises(ValueError, match="unknown rejection code"):
        FileRejected("not_a_code")
    with pytest.raises(ValueError, match="unknown removal codes"):
        scrub.ordered({"gps", "not_a_code"})


# --- Robustness ------------------------------------------------------------


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        result = clean_file(data)
    except FileRejected:
        return  # its constructor refuses codes outside REJECTION_CODES
    assert isinstance(result, Cleaned)


def spooled(data: bytes) -> crypto.EncryptedSpool:
    """``data`` as an upload arrives: in an encrypted spool, read from any place."""
    spool = crypto.EncryptedSpool()
    spool.write(data)
    spool.finish()
    return spool


def test_a_spooled_pdf_is_cleaned_like_one_in_memory() -> None:
    source, ids = sample_pdf()
    expected = clean_file(source)
    with spooled(source) as spool:
        cleaned, original = clean_upload(spool.reader())
        assert original.read() == source

    assert cleaned.removed == expected.removed
    assert cleaned.kind == "pdf"
    output = cleaned.open().read()
    assert SECRET.encode() not in output
    for part in ids:
        assert part not in output


@pytest.mark.parametrize("kind", ["jpeg", "docx", "wav", "mp4"])
def test_other_spooled_files_are_cleaned_like_ones_in_memory(
    samples: dict[str, bytes], kind: str
) -> None:
    expected = clean_file(samples[kind])
    with spooled(samples[kind]) as spool:
        cleaned, original = clean_upload(spool.reader())
        assert original.read() == samples[kind]

    assert (cleaned.kind, cleaned.removed) == (expected.kind, expected.removed)
    assert cleaned.open().read() == expected.open().read()


def test_a_spooled_pdf_carrying_a_zip_is_refused() -> None:
    source, _ = sample_pdf()
    polyglot = source + make_zip({"payload.txt": "hidden"})
    with spooled(polyglot) as spool, pytest.raises(FileRejected) as refused:
        clean_upload(spool.reader())
    assert refused.value.code == "polyglot"
    with spooled(b"%PDF-") as spool, pytest.raises(FileRejected):
        clean_upload(spool.reader())


def image_bytes(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    quadrant_image((16, 16)).save(out, fmt, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def samples() -> dict[str, bytes]:
    pdf, _ = sample_pdf()
    return {
        "jpeg": camera_jpeg(),
        "png": image_bytes("PNG", exif=camera_exif()),
        "gif": image_bytes("GIF", comment=b"x"),
        "webp": image_bytes("WEBP", exif=camera_exif()),
        "heic": image_bytes("HEIF"),
        "pdf": pdf,
        "docx": make_zip(dict(DOCX_PARTS)),
        "xlsx": make_zip(XLSX_PARTS),
        "odt": sample_odt(),
        "mp3": tagged_mp3(),
        "m4a": m4a_file(bytes(10)),
        "wav": tagged_wav()[0],
        "ogg": ogg_opus(["ARTIST=x"]),
        "mp4": mp4_box(b"ftyp", b"isom\0\0\0\0isom")
        + mp4_box(b"moov", mp4_box(b"udta", mp4_box(b"\xa9xyz", b"+51.5-0.1/")))
        + mp4_box(b"mdat", b"frames"),
    }


SAMPLE_KINDS = ["jpeg", "png", "gif", "webp", "heic", "pdf", "docx", "xlsx", "odt"]


# Pillow warns (UserWarning) about the corrupt EXIF these mutations produce.
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("kind", [*SAMPLE_KINDS, "mp3", "m4a", "wav", "ogg", "mp4"])
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    cut=st.one_of(st.none(), st.floats(0, 1, exclude_max=True)),
    flips=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
        min_size=1,
        max_size=7,
    ),
)
def test_mutated_samples_never_crash(
    samples: dict[str, bytes],
    kind: str,
    cut: float | None,
    flips: list[tuple[float, int]],
) -> None:
    """Truncated and byte-changed real files reach deep into every parser: each
    one either gives a cleaned file or a rejection with a known reason."""
    data = bytearray(samples[kind])
    if cut is not None:
        data = data[: 1 + int(cut * (len(data) - 1))]
    for where, value in flips:
        data[int(where * len(data))] = value
    try:
        result = clean_file(bytes(data))
    except FileRejected:
        return
    assert isinstance(result, Cleaned)
