"""/verify/: anyone checks whether a certificate or acknowledgement is genuine and
what it says, by its code or by uploading the PDF (issue 14, points 7 and 8).

Nothing here reveals anything about a case: a genuine document shows only what it
says itself, in both languages; a forged, altered or unknown one gets one message.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tipline.lib.pagecache import shared_page
from tipline.rewards import certificates
from tipline.rewards.certificates_text import BOTH, section_for

# An issued PDF is about 100 KB; anything far larger is not one of ours.
MAX_PDF_BYTES = 2 * 1024 * 1024
MALFORMED = _(
    "This is not a verification code. A code has 20 letters and digits in five "
    "groups of four, for example 7K3Q-M9XD-2HPA-V6RT-8WNC."
)
NOT_GENUINE = _(
    "No genuine document has this code. The code may be mistyped, or the document "
    "forged."
)
FILE_NOT_GENUINE = _(
    "This file is not a genuine document: its signature is missing or broken, it "
    "was changed after signing, or it was not issued here."
)
NO_FILE = _("Choose the PDF file of a certificate or acknowledgement to check.")
BUSY = _(
    "Very many files are being checked right now. Nothing was checked: please try "
    "again in a minute."
)


@shared_page
@require_http_methods(["GET"])
def verify(request: HttpRequest) -> HttpResponse:
    """The forms; ``?code=`` (the code form, sent without JavaScript) goes to the
    code's own page."""
    typed = request.GET.get("code")
    if typed is None:
        return _page(request)
    try:
        code = certificates.normalise_code(typed)
    except certificates.MalformedCode:
        certificates.audit_malformed()
        return _page(request, code_error=MALFORMED, typed=typed[:200], status=400)
    return HttpResponseRedirect(certificates.verify_path(code), status=303)


@require_http_methods(["GET"])
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = certificates.verify_code(code)
    except certificates.MalformedCode:
        return _page(request, code_error=MALFORMED, typed=code[:200], status=400)
    if not found.genuine:
        return _result(request, failure=NOT_GENUINE, status=404)
    return _result(request, statement=found.statement)


@require_http_methods(["POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("document")
    if upload is None:
        return _page(request, file_error=NO_FILE, status=400)
    data = upload.read(MAX_PDF_BYTES + 1)
    try:
        found = certificates.verify_pdf(data[:MAX_PDF_BYTES])
    except certificates.VerifyBusy:
        return _page(request, file_error=BUSY, status=429)
    if not found.genuine or len(data) > MAX_PDF_BYTES:
        return _result(request, failure=FILE_NOT_GENUINE, status=400)
    return _result(request, statement=found.statement, from_file=True)


def _page(request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, "outreach/verify.html", context, status=status)


def _result(
    request: HttpRequest,
    *,
    statement: dict[str, Any] | None = None,
    failure: Any = None,
    from_file: bool = False,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"failure": failure, "from_file": from_file}
    if statement is not None:
        context["kind"] = statement["kind"]
        context["sections"] = [(lang, section_for(statement, lang)) for lang in BOTH]
        context["code"] = certificates.format_code(statement["code"])
    return render(request, "outreach/verify_result.html", context, status=status)
