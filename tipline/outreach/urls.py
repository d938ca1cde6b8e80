from django.urls import path

from tipline.outreach import stats_views, verify_views, views

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("what-not-to-report/", views.guidance, name="guidance"),
    path("statistics/", stats_views.statistics, name="statistics"),
    path(
        "statistics/<slug:slug>.csv",
        stats_views.statistics_csv,
        name="statistics_csv",
    ),
    path("verify/", verify_views.verify, name="verify"),
    path("verify/file/", verify_views.verify_upload, name="verify_upload"),
    path("verify/<str:code>/", verify_views.verify_code, name="verify_code"),
]
