"""Metadata the cleaners used to miss (issue 11, point 3), each in a real file.

Every sample is built with the real libraries (Pillow, pillow-heif, pikepdf,
zipfile) and carries real metadata; after cleaning, the metadata is looked for
in the decoded bytes, and the file must still open.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name
from PIL import Image, ImageCms, TiffImagePlugin

from tipline.intake.tests.test_scrub import (
    DOCX_PARTS,
    OFFICE_REL,
    OOXML,
    OPENXML,
    RED,
    W_NS,
    XLSX_PARTS,
    XML_DECLARATION,
    camera_exif,
    content_types,
    exif_jpeg_bytes,
    make_zip,
    relationships,
    sample_odt,
    unzip,
)
from tipline.scrub import clean_file

SERIAL = b"SN-123456"  # in camera_exif()
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/'
    b'1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/'
    b'elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="51,30.4N"><dc:creator>Jane Reporter</dc:creator>'
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)
GEOJP2 = bytes.fromhex("b14bf8bd083d4b43a5ae8cd7d5a6ce03")
SECRETS = (SERIAL, b"Jane", b"Canon", b"GPSLatitude", b"xmpmeta")


def assert_no_secrets(data: bytes, where: object = "") -> None:
    for secret in SECRETS:
        assert secret not in data, (where, secret)


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def jp2_with_metadata() -> bytes:
    """A real JPEG 2000 file (OpenJPEG via Pillow) with a codestream comment, an
    XMP box and a GeoJP2 box added as cameras and GIS tools write them."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), RED).save(
        out, "JPEG2000", no_jp2=False, comment=b"Scanned by Jane Reporter"
    )
    data = out.getvalue()
    assert b"Jane" in data
    head = data.index(b"jp2c") - 4
    extra = box(b"xml ", XMP) + box(b"uuid", GEOJP2 + b"II*\x00GPS 51.5 -0.1")
    return data[:head] + extra + data[head:]


def tiff_with_metadata() -> bytes:
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x013B] = "Jane Reporter"  # Artist
    info[0x010F] = "Canon"  # Make
    info[0x8825] = {1: "N", 2: (51.0, 30.0, 26.5)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", (16, 16), RED).save(out, "TIFF", tiffinfo=info)
    return out.getvalue()


def image_with_metadata(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), RED).save(out, fmt, exif=camera_exif(), xmp=XMP)
    data = out.getvalue()
    assert SERIAL in data
    return data


def pdf_with_image(stream_data: bytes, filters: list[str], **extra: object) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    image = pikepdf.Stream(pdf, stream_data)
    image.Type, image.Subtype = Name.XObject, Name.Image
    image.Width, image.Height = 8, 8
    image.ColorSpace, image.BitsPerComponent = Name.DeviceRGB, 8
    image.Filter = Array([Name(name) for name in filters])
    for key, value in extra.items():
        image[key] = value
    page = pdf.pages[0]
    page.obj.Resources = Dictionary(XObject=Dictionary(Im0=image))
    page.obj.Contents = pdf.make_stream(b"q 8 0 0 8 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def cleaned_image_stream(cleaned_pdf: bytes) -> tuple[pikepdf.Object, bytes]:
    with pikepdf.open(io.BytesIO(cleaned_pdf)) as pdf:
        image = pdf.pages[0].obj.Resources.XObject.Im0
        return image.get("/Filter"), image.read_raw_bytes()


# --- PDF -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "filters"),
    [
        (zlib.compress, ["/FlateDecode", "/DCTDecode"]),
        (
            lambda data: base64.a85encode(zlib.compress(data)) + b"~>",
            ["/ASCII85Decode", "/FlateDecode", "/DCTDecode"],
        ),
        (lambda data: data.hex().encode() + b">", ["/ASCIIHexDecode", "/DCTDecode"]),
    ],
    ids=["flate", "ascii85-flate", "hex"],
)
def test_pdf_photo_behind_other_filters_loses_its_exif(encode, filters) -> None:
    photo = exif_jpeg_bytes()
    source = pdf_with_image(encode(photo), filters)
    with pikepdf.open(io.BytesIO(source)) as pdf:
        wrapped = pdf.pages[0].obj.Resources.XObject.Im0.read_raw_bytes()
        assert wrapped == encode(photo)  # the EXIF is there, under the filters
        assert SERIAL not in wrapped

    cleaned = clean_file(source)

    output = cleaned.open().read()
    assert "embedded_image_metadata" in cleaned.removed
    assert cleaned.fully_cleaned is True
    assert cleaned.remaining == ()
    codec, raw = cleaned_image_stream(output)
    assert codec == "/DCTDecode"
    assert_no_secrets(raw)
    assert Image.open(io.BytesIO(raw)).getpixel((4, 4))[0] > 200


def test_pdf_jpeg_2000_loses_xmp_geojp2_and_comments() -> None:
    source = pdf_with_image(jp2_with_metadata(), ["/JPXDecode"])

    cleaned = clean_file(source)

    assert "embedded_image_metadata" in cleaned.removed
    assert cleaned.remaining == ()
    codec, raw = cleaned_image_stream(cleaned.open().read())
    assert codec == "/JPXDecode"
    assert_no_secrets(raw)
    assert GEOJP2 not in raw
    assert Image.open(io.BytesIO(raw)).getpixel((4, 4)) == RED


def test_pdf_jpeg_2000_inside_flate_is_cleaned_too() -> None:
    source = pdf_with_image(
        zlib.compress(jp2_with_metadata()), ["/FlateDecode", "/JPXDecode"]
    )

    cleaned = clean_file(source)

    codec, raw = cleaned_image_stream(cleaned.open().read())
    assert codec == "/JPXDecode"  # unwrapped, so nothing hides under the Flate
    assert_no_secrets(raw)
    assert Image.open(io.BytesIO(raw)).getpixel((4, 4)) == RED
    assert cleaned.fully_cleaned is True


def test_pdf_signature_thumbnail_and_page_dates_removed() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    signature = pdf.make_indirect(
        Dictionary(
            Type=Name.Sig,
            Filter=Name("/Adobe.PPKLite"),
            Name="Jane Reporter",
            ContactInfo="jane.reporter@example.org",
            Location="Depot 4",
            M="D:20240301091500Z",
            ByteRange=[0, 10, 20, 30],
            Contents=pikepdf.String(b"certificate of Jane Reporter"),
        )
    )
    field = pdf.make_indirect(
        Dictionary(FT=Name.Sig, T="Signature1", V=signature, Rect=[0, 0, 0, 0])
    )
    pdf.Root.AcroForm = Dictionary(Fields=[field], SigFlags=3)
    thumb = pikepdf.Stream(pdf, exif_jpeg_bytes())
    thumb.Width, thumb.Height, thumb.Filter = 8, 8, Name.DCTDecode
    page.Thumb = thumb
    page.LastModified = "D:20240301091500Z"
    out = io.BytesIO()
    pdf.save(out)

    cleaned = clean_file(out.getvalue())

    assert {"signature", "thumbnail", "datetime"} <= set(cleaned.removed)
    output = cleaned.open().read()
    with pikepdf.open(io.BytesIO(output)) as result:
        assert "/Thumb" not in result.pages[0].obj
        assert "/LastModified" not in result.pages[0].obj
        everything = b"".join(
            obj.read_raw_bytes() if isinstance(obj, pikepdf.Stream) else b""
            for obj in result.objects
        )
    for secret in (b"Jane", b"jane", b"Depot 4", b"2024"):
        assert secret not in output
        assert secret not in everything


# --- Pictures inside Office and OpenDocument files -------------------------

PICTURES = {
    "word/media/image1.tiff": tiff_with_metadata,
    "word/media/image2.webp": lambda: image_with_metadata("WEBP"),
    "word/media/image3.heic": lambda: image_with_metadata("HEIF"),
    "word/media/image4.jp2": jp2_with_metadata,
}


def test_docx_pictures_in_every_format_lose_their_metadata() -> None:
    parts: dict[str, str | bytes] = dict(DOCX_PARTS)
    for name, build in PICTURES.items():
        parts[name] = build()
        assert b"Jane" in parts[name] or SERIAL in parts[name]

    cleaned = clean_file(make_zip(parts))

    assert "embedded_image_metadata" in cleaned.removed
    assert cleaned.remaining == ()
    members = unzip(cleaned.data)
    for name in PICTURES:
        assert_no_secrets(members[name], name)
        assert GEOJP2 not in members[name]
        picture = Image.open(io.BytesIO(members[name]))
        assert picture.size == (16, 16)
        assert all(
            abs(a - b) < 8 for a, b in zip(picture.getpixel((4, 4)), RED, strict=True)
        )
    assert members["word/media/image1.tiff"].startswith(b"II*\x00")
    assert members["word/media/image3.heic"][4:8] == b"ftyp"


def test_odt_pictures_in_every_format_lose_their_metadata() -> None:
    pictures = {
        "Pictures/1.tiff": tiff_with_metadata(),
        "Pictures/2.webp": image_with_metadata("WEBP"),
        "Pictures/3.heic": image_with_metadata("HEIF"),
    }

    cleaned = clean_file(sample_odt(**pictures))

    assert "embedded_image_metadata" in cleaned.removed
    assert cleaned.remaining == ()
    members = unzip(cleaned.data)
    for name in pictures:
        assert_no_secrets(members[name], name)
        assert Image.open(io.BytesIO(members[name])).size == (16, 16)


# --- Office parts ----------------------------------------------------------

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
CUSTOM_XML = f"""{XML_DECLARATION}<p:properties
 xmlns:p="http://schemas.microsoft.com/office/2006/metadata/properties">
<documentManagement><Owner>Jane Reporter</Owner>
<Email>jane.reporter@example.org</Email></documentManagement></p:properties>"""
CUSTOM_XML_PROPS = f"""{XML_DECLARATION}<ds:datastoreItem
 ds:itemID="{{6E1B2C3D-1111-2222-3333-444455556666}}"
 xmlns:ds="{OPENXML}/officeDocument/2006/customXml"/>"""
SETTINGS = f"""{XML_DECLARATION}<w:settings xmlns:w="{W_NS}" xmlns:w14="{W14}"
 xmlns:w15="{W15}"><w:zoom w:percent="100"/>
<w:docVars><w:docVar w:name="User" w:val="Jane Reporter"/></w:docVars>
<w:mailMerge><w:mainDocumentType w:val="formLetters"/>
<w:connectString w:val="Provider=x;Data Source=C:\\Users\\jane.reporter\\list.xlsx"/>
</w:mailMerge><w14:docId w14:val="6A7B8C9D"/>
<w15:docId w15:val="{{A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF}}"/></w:settings>"""
DOCUMENT = f"""{XML_DECLARATION}<w:document xmlns:w="{W_NS}" xmlns:w14="{W14}"
 xmlns:r="{OFFICE_REL}"><w:body>
<w:p w14:paraId="1A2B3C4D" w14:textId="5E6F7A8B"><w:permStart w:id="1"
 w:ed="CORP\\jane.reporter"/><w:r><w:t>Shipment records.</w:t></w:r></w:p>
<w:p w14:paraId="0C0FFEE0" w14:textId="77777777"><w:hyperlink r:id="rIdLink">
<w:r><w:t>the list</w:t></w:r></w:hyperlink></w:p></w:body></w:document>"""
COMMENTS_EXTENDED = f"""{XML_DECLARATION}<w15:commentsEx xmlns:w15="{W15}">
<w15:commentEx w15:paraId="1A2B3C4D" w15:done="0"/></w15:commentsEx>"""


def docx_with_identifiers() -> bytes:
    parts: dict[str, str | bytes] = dict(DOCX_PARTS)
    parts["[Content_Types].xml"] = content_types(
        {
            "/word/document.xml": f"{OOXML}.wordprocessingml.document.main+xml",
            "/word/settings.xml": f"{OOXML}.wordprocessingml.settings+xml",
            "/customXml/itemProps1.xml": f"{OOXML}.customXmlProperties+xml",
            "/docProps/thumbnail.jpeg": "image/jpeg",
        }
    )
    parts["_rels/.rels"] = relationships(
        {
            f"{OFFICE_REL}/officeDocument": "word/document.xml",
            f"{OPENXML}/package/2006/relationships/metadata/thumbnail": (
                "docProps/thumbnail.jpeg"
            ),
        }
    )
    rels = relationships(
        {
            f"{OFFICE_REL}/settings": "settings.xml",
            f"{OFFICE_REL}/customXml": "../customXml/item1.xml",
        }
    ).replace(
        "</Relationships>",
        f'<Relationship Id="rIdLink" Type="{OFFICE_REL}/hyperlink" '
        'Target="file:///C:\\Users\\jane.reporter\\Desktop\\list.xlsx" '
        'TargetMode="External"/><Relationship Id="rIdWeb" '
        f'Type="{OFFICE_REL}/hyperlink" Target="https://example.org/users/list" '
        'TargetMode="External"/></Relationships>',
    )
    parts["word/_rels/document.xml.rels"] = rels
    parts["word/document.xml"] = DOCUMENT
    parts["word/settings.xml"] = SETTINGS
    parts["word/commentsExtended.xml"] = COMMENTS_EXTENDED
    parts["customXml/item1.xml"] = CUSTOM_XML
    parts["customXml/itemProps1.xml"] = CUSTOM_XML_PROPS
    parts["customXml/_rels/item1.xml.rels"] = relationships(
        {f"{OFFICE_REL}/customXmlProps": "itemProps1.xml"}
    )
    parts["docProps/thumbnail.jpeg"] = exif_jpeg_bytes()
    return make_zip(parts)


def test_docx_custom_xml_ids_links_and_thumbnail_removed() -> None:
    cleaned = clean_file(docx_with_identifiers())

    assert {
        "custom_xml",
        "document_ids",
        "custom_properties",
        "file_path",
        "thumbnail",
        "author",
    } <= set(cleaned.removed)
    assert cleaned.remaining == ()
    members = unzip(cleaned.data)
    assert not [name for name in members if name.startswith("customXml/")]
    assert "docProps/thumbnail.jpeg" not in members
    for name, content in members.items():
        for secret in (
            b"jane",
            b"Jane",
            b"6A7B8C9D",
            b"A1B2C3D4",
            b"1A2B3C4D",
            b"0C0FFEE0",
            b"customXml",
            b"thumbnail",
        ):
            assert secret not in content, (name, secret)
    document = members["word/document.xml"]
    assert b"Shipment records." in document
    # Renumbered consistently: the comment still points at its paragraph.
    assert b'w14:paraId="00000001"' in document
    assert b'w15:paraId="00000001"' in members["word/commentsExtended.xml"]
    assert b'<w:zoom w:percent="100"/>' in members["word/settings.xml"]
    document_rels = members["word/_rels/document.xml.rels"]
    assert b'Id="rIdLink" Type=' in document_rels
    assert b'Target="https://example.org/users/list"' in document_rels


def test_xlsx_and_pptx_identifiers_and_people_removed() -> None:
    xlsx = dict(XLSX_PARTS)
    xlsx["xl/revisions/userNames.xml"] = (
        '<users xmlns="urn:x"><userInfo guid="{1}" name="Jane Reporter" '
        'id="1" dateTime="2024-03-01T09:15:00"/></users>'
    )
    xlsx["xl/pivotCache/pivotCacheDefinition1.xml"] = (
        '<pivotCacheDefinition xmlns="urn:x" refreshedBy="Jane Reporter" '
        'refreshedDate="45352.38" refreshedDateIso="2024-03-01T09:15:00"/>'
    )
    xlsx["xl/worksheets/sheet1.xml"] = (
        '<worksheet xmlns="urn:x" xmlns:xr="urn:xr" xr:uid="{DEADBEEF-1}"/>'
    )
    xlsx["xl/threadedComments/threadedComment1.xml"] = (
        '<ThreadedComments xmlns="urn:x"><threadedComment ref="A1" '
        'dT="2024-03-01T09:15:00.00" personId="{1}" id="{2}"/></ThreadedComments>'
    )
    cleaned = clean_file(make_zip(xlsx))
    members = unzip(cleaned.data)
    assert {"comment_authors", "author", "datetime", "revision_ids"} <= set(
        cleaned.removed
    )
    for content in members.values():
        for secret in (b"Jane", b"2024-03", b"45352", b"DEADBEEF"):
            assert secret not in content

    pptx = {
        "[Content_Types].xml": content_types(
            {"/ppt/presentation.xml": f"{OOXML}.presentationml.presentation.main+xml"}
        ),
        "ppt/presentation.xml": "<p:presentation xmlns:p='urn:p'/>",
        "ppt/slides/slide1.xml": (
            "<p:sld xmlns:p='urn:p' xmlns:p14='urn:p14'><p:extLst><p:ext uri='x'>"
            "<p14:creationId val='3141592653'/></p:ext></p:extLst></p:sld>"
        ),
        "ppt/comments/comment1.xml": (
            "<p:cmLst xmlns:p='urn:p'><p:cm authorId='0' "
            "dt='2024-03-01T09:15:00.000' idx='1'/></p:cmLst>"
        ),
        "ppt/revisionInfo.xml": (
            "<p15:revInfo xmlns:p15='urn:p15'><p15:revLst><p15:client "
            "id='{ABCDEF01-2345-6789-ABCD-EF0123456789}' v='2' "
            "dt='2024-03-01T09:15:00.000'/></p15:revLst></p15:revInfo>"
        ),
    }
    cleaned = clean_file(make_zip(pptx))
    members = unzip(cleaned.data)
    assert {"document_ids", "revision_ids", "datetime"} <= set(cleaned.removed)
    assert b'val="1"' in members["ppt/slides/slide1.xml"]
    for content in members.values():
        for secret in (b"3141592653", b"ABCDEF01", b"2024-03"):
            assert secret not in content


def test_odt_change_dates_and_signatures_removed() -> None:
    content = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><office:body><office:text>
<text:tracked-changes><text:changed-region text:id="ct1"><text:insertion>
<office:change-info><dc:creator>Jane Reporter</dc:creator>
<dc:date>2024-03-01T09:15:00</dc:date></office:change-info>
</text:insertion></text:changed-region></text:tracked-changes>
<text:p>Meeting on <text:date text:date-value="2024-05-02">2 May</text:date>.</text:p>
</office:text></office:body></office:document-content>"""
    signatures = (
        '<document-signatures xmlns="urn:oasis:names:tc:opendocument:xmlns:'
        'digitalsignature:1.0"><Signature><X509SubjectName>CN=Jane Reporter,'
        "E=jane.reporter@example.org</X509SubjectName></Signature>"
        "</document-signatures>"
    )
    cleaned = clean_file(
        sample_odt(
            **{"content.xml": content, "META-INF/documentsignatures.xml": signatures}
        )
    )
    assert {"signature", "datetime", "comment_authors"} <= set(cleaned.removed)
    members = unzip(cleaned.data)
    assert "META-INF/documentsignatures.xml" not in members
    for data in members.values():
        assert b"Jane" not in data
        assert b"2024-03-01" not in data
    assert b'text:date-value="2024-05-02">2 May</text:date>' in members["content.xml"]


def jpeg_with_jfif_thumbnail() -> bytes:
    """A JPEG whose JFIF header carries a 2x2 preview (12 bytes of pixels)."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), RED).save(out, "JPEG")
    data = out.getvalue()
    assert data[2:6] == b"\xff\xe0\x00\x10"  # APP0 JFIF without a preview
    header = bytearray(data[2:20])
    header[2:4] = struct.pack(">H", 16 + 12)
    header[16:18] = b"\x02\x02"
    return data[:2] + bytes(header) + b"THUMBNAILPIX" + data[20:]


def test_glossary_parts_and_jfif_previews_in_documents_are_cleaned() -> None:
    parts: dict[str, str | bytes] = dict(DOCX_PARTS)
    parts["word/glossary/document.xml"] = DOCX_PARTS["word/document.xml"]
    parts["word/media/image1.jpeg"] = jpeg_with_jfif_thumbnail()
    assert Image.open(io.BytesIO(parts["word/media/image1.jpeg"])).size == (16, 16)

    cleaned = clean_file(make_zip(parts))

    members = unzip(cleaned.data)
    glossary = members["word/glossary/document.xml"]
    assert b"Jane Reporter" not in glossary
    assert b"rsid" not in glossary
    photo = members["word/media/image1.jpeg"]
    assert b"THUMBNAILPIX" not in photo
    assert photo[4:6] == b"\x00\x10"
    assert Image.open(io.BytesIO(photo)).getpixel((4, 4))[0] > 200


def test_office_files_nested_three_deep_are_all_cleaned() -> None:
    innermost: dict[str, str | bytes] = dict(XLSX_PARTS)
    innermost["xl/media/image1.jpeg"] = exif_jpeg_bytes()
    data = make_zip(innermost)
    for _ in range(3):
        outer: dict[str, str | bytes] = dict(DOCX_PARTS)
        outer["word/embeddings/Workbook.xlsx"] = data
        data = make_zip(outer)

    cleaned = clean_file(data)

    assert cleaned.remaining == ()
    layer = cleaned.data
    for _ in range(3):
        members = unzip(layer)
        assert b"Jane Reporter" not in members["docProps/core.xml"]
        layer = members["word/embeddings/Workbook.xlsx"]
    deepest = unzip(layer)
    assert b"Jane Reporter" not in deepest["docProps/core.xml"]
    assert SERIAL not in deepest["xl/media/image1.jpeg"]


# --- Colour profiles ---------------------------------------------------------

LAPTOP = "Jane's Laptop".encode("utf-16-be")


def calibrated_profile() -> bytes:
    """A real ICC profile (made by LittleCMS) as a screen calibration leaves it:
    its description names the owner's laptop, its header the device."""
    profile = bytearray(
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    )
    builtin = "sRGB built-in".encode("utf-16-be")
    assert builtin in profile
    profile[profile.index(builtin) : profile.index(builtin) + len(builtin)] = LAPTOP
    profile[48:56] = b"APPLMBP1"  # device manufacturer and model
    assert any(profile[24:36])  # creation date
    return bytes(profile)


def assert_anonymous_profile(profile: bytes) -> None:
    assert LAPTOP not in profile
    assert b"APPLMBP1" not in profile
    assert not any(profile[24:36])
    ImageCms.ImageCmsProfile(io.BytesIO(profile))  # still a valid profile


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_colour_profiles_of_document_pictures_are_made_anonymous(fmt: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), RED).save(out, fmt, icc_profile=calibrated_profile())
    parts: dict[str, str | bytes] = dict(DOCX_PARTS)
    parts["word/media/image1.bin"] = out.getvalue()

    cleaned = clean_file(make_zip(parts))

    picture = Image.open(io.BytesIO(unzip(cleaned.data)["word/media/image1.bin"]))
    assert picture.format == fmt
    assert_anonymous_profile(picture.info["icc_profile"])
    assert "embedded_image_metadata" in cleaned.removed
    assert picture.getpixel((4, 4))[0] > 200


def test_pdf_colour_profile_is_made_anonymous() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    profile = pikepdf.Stream(pdf, zlib.compress(calibrated_profile()))
    profile.N, profile.Filter = 3, Name.FlateDecode
    image = pikepdf.Stream(pdf, bytes(8 * 8 * 3))
    image.Type, image.Subtype = Name.XObject, Name.Image
    image.Width = image.Height = 8
    image.ColorSpace = Array([Name.ICCBased, profile])
    image.BitsPerComponent = 8
    pdf.pages[0].obj.Resources = Dictionary(XObject=Dictionary(Im0=image))
    out = io.BytesIO()
    pdf.save(out)

    cleaned = clean_file(out.getvalue())

    assert "colour_profile_details" in cleaned.removed
    with pikepdf.open(io.BytesIO(cleaned.open().read())) as result:
        image = result.pages[0].obj.Resources.XObject.Im0
        assert_anonymous_profile(image.ColorSpace[1].read_bytes())


def test_docx_digital_signatures_removed_and_package_kept_consistent() -> None:
    signature_rel = f"{OPENXML}/package/2006/relationships/digital-signature"
    parts: dict[str, str | bytes] = dict(DOCX_PARTS)
    parts["_rels/.rels"] = DOCX_PARTS["_rels/.rels"].replace(
        "</Relationships>",
        f'<Relationship Id="rIdSig" Type="{signature_rel}/origin" '
        'Target="_xmlsignatures/origin.sigs"/></Relationships>',
    )
    parts["_xmlsignatures/origin.sigs"] = b""
    parts["_xmlsignatures/_rels/origin.sigs.rels"] = relationships(
        {f"{signature_rel}/signature": "sig1.xml"}
    )
    parts["_xmlsignatures/sig1.xml"] = (
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><KeyInfo><X509Data>'
        "<X509SubjectName>CN=Jane Reporter, E=jane.reporter@example.org"
        "</X509SubjectName></X509Data></KeyInfo></Signature>"
    )
    parts["docProps/app.xml"] = DOCX_PARTS["docProps/app.xml"].replace(
        "</Properties>",
        "<DigSig><vt:blob xmlns:vt='urn:vt'>SmFuZSBSZXBvcnRlcg==</vt:blob></DigSig>"
        "</Properties>",
    )

    cleaned = clean_file(make_zip(parts))

    assert "signature" in cleaned.removed
    members = unzip(cleaned.data)
    assert not [name for name in members if name.startswith("_xmlsignatures")]
    for content in members.values():
        assert b"_xmlsignatures" not in content
        assert b"Jane" not in content
        assert b"SmFuZSBSZXBvcnRlcg" not in content
    assert b"word/document.xml" in members["_rels/.rels"]
