from django.urls import path

from tipline.intake import views

app_name = "intake"
urlpatterns = [
    path("report/", views.choose_category, name="choose"),
    path("report/<slug:slug>/", views.report_form, name="form"),
    path("followup/", views.followup, name="followup"),
    path("followup/message/", views.followup_message, name="followup_message"),
]
