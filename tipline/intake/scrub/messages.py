"""What the reporter is told: labels for removed metadata, reasons for refusals.

Labels complete the sentence "We removed: …", so they are lower-case noun phrases.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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
    "xmp": _("XMP metadata"),
    "iptc": _("IPTC metadata (captions, names, places)"),
    "comment": _("embedded comments and text notes"),
    "thumbnail": _("embedded preview images"),
    "colour_profile": _("colour profile"),
    "embedded_image_metadata": _("details of photos inside the document"),
    "embedded_files": _("attached files"),
    "javascript": _("scripts and automatic actions"),
    "tags": _("tags (such as artist, title and comments)"),
    "cover_art": _("cover art picture"),
    "other_exif": _("other camera details"),
    "other_metadata": _("other hidden details"),
}

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
    "zip_bomb": _(
        "This file unpacks to far more data than we can accept. Please send a "
        "smaller file."
    ),
    "polyglot": _(
        "This file contains another file hidden inside it, so it can't be "
        "accepted. Please export or save it again as a normal file."
    ),
}
