from django.urls import path, register_converter

from tipline.outreach import verify_views, views


class LanguageCode:
    """A language code (``en``, ``zh-hans``), so that ``language/keep/`` stays
    intake's switch that keeps a draft."""

    regex = "[a-z]{2,3}(?:-[a-z0-9]+)*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageCode, "language")

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("what-not-to-report/", views.guidance, name="guidance"),
    path("statistics/", views.statistics, name="statistics"),
    path("language/<language:code>/", views.choose_language, name="language"),
    path("verify/", verify_views.verify, name="verify"),
    path("verify/file/", verify_views.verify_upload, name="verify_upload"),
    path("verify/<str:code>/", verify_views.verify_code, name="verify_code"),
]
