"""What the reporter is told: labels for removed metadata, for metadata that could
not be removed, and reasons for refusals.

Labels complete the sentences "Removed: …" and "Could not remove: …", so they are
lower-case noun phrases.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .result import Remaining

REMOVED_LABELS = {
    "gps": _("GPS location"),
    "camera_serial": _("camera serial number"),
    "camera_model": _("camera make and model"),
    "author": _("author name"),
    "last_modified_by": _("name of the last person who edited it"),
    "comment_authors": _("names of comment and change authors"),
    "company": _("company or manager name"),
    "file_path": _("folder location on the author's computer"),
    "template": _("template name or location"),
    "title": _("document title"),
    "datetime": _("dates and times"),
    "software": _("software and device details"),
    "revision_ids": _("editing history identifiers"),
    "document_ids": _("document identifiers"),
    "custom_properties": _("custom document properties"),
    "custom_xml": _(
        "data stored with the document (such as names and e-mail addresses)"
    ),
    "signature": _("digital signatures (they name the person who signed)"),
    "xmp": _("XMP metadata"),
    "iptc": _("IPTC metadata (captions, names, places)"),
    "comment": _("embedded comments and text notes"),
    "thumbnail": _("embedded preview images"),
    "colour_profile": _("colour profile"),
    "colour_profile_details": _("names, devices and dates in colour profiles"),
    "embedded_image_metadata": _("details of photos inside the document"),
    "embedded_files": _("attached files"),
    "javascript": _("scripts and automatic actions"),
    "tags": _("tags (such as artist, title and comments)"),
    "cover_art": _("cover art picture"),
    "other_exif": _("other camera details"),
    "other_metadata": _("other hidden details"),
}

REMAINING_LABELS = {
    **{
        code: REMOVED_LABELS[code]
        for code in (
            "gps",
            "camera_serial",
            "camera_model",
            "author",
            "title",
            "datetime",
            "software",
            "xmp",
            "iptc",
            "comment",
            "other_exif",
        )
    },
    "video_metadata": _(
        "details recorded with the video (these can include the place, the time "
        "and the device)"
    ),
    "embedded_object": _(
        "details inside an embedded object (such as an inserted spreadsheet or "
        "drawing), which cannot be checked"
    ),
    "unchecked": _(
        "parts of the file that could not be checked (too large, nested too "
        "deeply or in a form that cannot be read)"
    ),
}
# Always about the file as a whole, wherever they were found.
WHOLE_FILE_CODES = {"embedded_object", "unchecked", "video_metadata"}

REJECTION_MESSAGES = {
    "empty": _("This file is empty. Please choose the file again."),
    "unsupported_type": _(
        "This kind of file can't be accepted. Please send a photo (JPEG, PNG, "
        "WebP, GIF or HEIC), a PDF, a Word, Excel, PowerPoint or OpenDocument "
        "text file, an audio or video recording, or plain text."
    ),
    "damaged": _(
        "This file seems to be damaged or incomplete. Try saving or exporting it again."
    ),
    "too_many_pixels": _(
        "This image is too large. Please send a smaller version, for example a "
        "screenshot or an exported copy."
    ),
    "encrypted": _(
        "This file is protected with a password. Please remove the password and "
        "send it again."
    ),
    "too_costly": _(
        "This file took too long or too much memory to check safely. Please send "
        "a smaller or simpler version, for example a screenshot or an exported copy."
    ),
    "zip_bomb": _(
        "This file unpacks to far more data than we can accept. Please send a "
        "smaller file."
    ),
    "polyglot": _(
        "This file contains another file hidden inside it, so it can't be "
        "accepted. Please export or save it again as a normal file."
    ),
}


def remaining_labels(remaining: Iterable[Remaining], *, embedded: bool) -> list[str]:
    """Labels for what could not be removed: in the file itself, or (with
    ``embedded``) in pictures and parts inside it, in the reader's language."""
    return [
        str(REMAINING_LABELS[item.code])
        for item in remaining
        if (item.embedded and item.code not in WHOLE_FILE_CODES) is embedded
    ]
