from django.urls import path

from tipline.intake import acknowledgement_views, followup_views, reward_views, views

app_name = "intake"
urlpatterns = [
    path("report/", views.choose_category, name="choose"),
    path("report/<slug:slug>/", views.report_form, name="form"),
    path("receipt/", views.receipt, name="receipt"),
    path("receipt/done/", views.receipt_done, name="receipt_done"),
    path(
        "receipt/acknowledgement/",
        acknowledgement_views.receipt_acknowledgement,
        name="receipt_acknowledgement",
    ),
    path("language/keep/", views.switch_language, name="switch_language"),
    path("followup/", followup_views.followup, name="followup"),
    path("followup/message/", followup_views.followup_message, name="followup_message"),
    path("followup/signout/", followup_views.followup_signout, name="followup_signout"),
    path(
        "followup/acknowledgement/",
        acknowledgement_views.followup_acknowledgement,
        name="followup_acknowledgement",
    ),
    path("followup/reward/accept/", reward_views.accept, name="reward_accept"),
    path("followup/reward/decline/", reward_views.decline, name="reward_decline"),
    path(
        "followup/reward/certificate/",
        reward_views.certificate,
        name="reward_certificate",
    ),
]
