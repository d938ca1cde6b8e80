from django.urls import path

from tipline.outreach import bulletin_views, verify_views, views
from tipline.outreach.feeds import bulletin_feed

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("what-not-to-report/", views.guidance, name="guidance"),
    path("statistics/", views.statistics, name="statistics"),
    path("verify/", verify_views.verify, name="verify"),
    path("verify/file/", verify_views.verify_upload, name="verify_upload"),
    path("verify/<str:code>/", verify_views.verify_code, name="verify_code"),
    path("news/", bulletin_views.news, name="news"),
    path("news/feed/", bulletin_views.feed_here, name="feed_here"),
    path("news/feed/<str:language>/", bulletin_feed, name="bulletin_feed"),
    path("news/<slug:slug>/", bulletin_views.bulletin, name="bulletin"),
]
