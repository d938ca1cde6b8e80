"""Staff access to evidence files: download, preview and the sealed original."""

from __future__ import annotations

from django.http import (
    Http404,
    HttpResponse,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header

from tipline.accounts.decorators import StaffRequest
from tipline.cases import previews, selectors, services
from tipline.cases.views import needs_unlocked_key

# A downloaded file must never run as part of this site, whatever it contains.
FILE_CSP = "sandbox; default-src 'none'"


@needs_unlocked_key
def download(
    request: StaffRequest, case_id: int, attachment_id: int, *, private_key: bytes
) -> StreamingHttpResponse:
    opened = _open(request, case_id, attachment_id, private_key, "download")
    return _file_response(opened)


@needs_unlocked_key
def preview(
    request: StaffRequest, case_id: int, attachment_id: int, *, private_key: bytes
) -> HttpResponse:
    opened = _open(request, case_id, attachment_id, private_key, "preview")
    if opened.details["kind"] != "image":
        raise Http404
    data, content_type = previews.image_preview(opened.chunks)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Security-Policy"] = FILE_CSP
    return response


@needs_unlocked_key
def original(
    request: StaffRequest, case_id: int, attachment_id: int, *, private_key: bytes
) -> StreamingHttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    attachment = selectors.get_attachment_for_case(case, attachment_id)
    try:
        opened = services.open_original(
            case=case, attachment=attachment, user=request.user, private_key=private_key
        )
    except services.OriginalNotAvailable:
        raise Http404 from None
    return _file_response(opened, prefix="original-")


def _open(
    request: StaffRequest,
    case_id: int,
    attachment_id: int,
    private_key: bytes,
    purpose: str,
) -> services.OpenedFile:
    case = selectors.get_case_for_user(request.user, case_id)
    attachment = selectors.get_attachment_for_case(case, attachment_id)
    return services.open_attachment(
        case=case,
        attachment=attachment,
        user=request.user,
        private_key=private_key,
        purpose=purpose,
    )


def _file_response(
    opened: services.OpenedFile, prefix: str = ""
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        opened.chunks, content_type="application/octet-stream"
    )
    disposition = content_disposition_header(
        as_attachment=True, filename=prefix + opened.details["name"]
    )
    response["Content-Disposition"] = disposition or "attachment"
    response["Content-Security-Policy"] = FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
