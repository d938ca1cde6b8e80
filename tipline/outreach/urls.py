from django.urls import path

from tipline.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("what-not-to-report/", views.guidance, name="guidance"),
]
