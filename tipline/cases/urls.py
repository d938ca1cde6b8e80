from django.urls import path

from tipline.cases import file_views, views

app_name = "cases"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<int:case_id>/", views.detail, name="detail"),
    path("cases/<int:case_id>/reply/", views.reply, name="reply"),
    path("cases/<int:case_id>/notes/", views.add_note, name="add_note"),
    path("cases/<int:case_id>/status/", views.change_status, name="status"),
    path("cases/<int:case_id>/assign/", views.assign, name="assign"),
    path("cases/<int:case_id>/risk/", views.assess_risk, name="risk"),
    path("cases/<int:case_id>/redactions/", views.redact, name="redact"),
    path(
        "cases/<int:case_id>/redactions/<int:redaction_id>/delete/",
        views.unredact,
        name="unredact",
    ),
    path("cases/<int:case_id>/access/", views.grant, name="grant"),
    path(
        "cases/<int:case_id>/access/<int:user_id>/revoke/",
        views.revoke,
        name="revoke",
    ),
    path("cases/<int:case_id>/links/", views.link, name="link"),
    path(
        "cases/<int:case_id>/files/<int:attachment_id>/",
        file_views.download,
        name="download",
    ),
    path(
        "cases/<int:case_id>/files/<int:attachment_id>/preview/",
        file_views.preview,
        name="preview",
    ),
    path(
        "cases/<int:case_id>/files/<int:attachment_id>/original/",
        file_views.original,
        name="original",
    ),
]
