from django.urls import path

from tipline.cases import file_views, views

app_name = "cases"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<int:case_id>/", views.detail, name="detail"),
    path("cases/<int:case_id>/reply/", views.reply, name="reply"),
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
