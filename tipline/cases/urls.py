from django.urls import path

from tipline.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<int:case_id>/", views.detail, name="detail"),
    path("cases/<int:case_id>/reply/", views.reply, name="reply"),
]
