from django.urls import path, register_converter

from tipline.outreach import (
    bulletin_views,
    guide,
    site_views,
    stats_views,
    verify_views,
    views,
)
from tipline.outreach.feeds import bulletin_feed


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
    # Guidance pages (issue 15, point 1); "what-not-to-report" keeps its old name.
    path("help/", guide.help_index, name="help"),
    path("how-to-report/", guide.page, {"slug": "how-to-report"}, name="how_to_report"),
    path(
        "what-to-report/", guide.page, {"slug": "what-to-report"}, name="what_to_report"
    ),
    path(
        "what-not-to-report/",
        guide.page,
        {"slug": "what-not-to-report"},
        name="guidance",
    ),
    path("staying-safe/", guide.page, {"slug": "staying-safe"}, name="staying_safe"),
    path("rewards/", guide.page, {"slug": "rewards"}, name="rewards"),
    path(
        "what-happens-next/",
        guide.page,
        {"slug": "what-happens-next"},
        name="what_happens_next",
    ),
    path("statistics/", stats_views.statistics, name="statistics"),
    path(
        "statistics/<slug:slug>.csv",
        stats_views.statistics_csv,
        name="statistics_csv",
    ),
    path("language/<language:code>/", views.choose_language, name="language"),
    path("verify/", verify_views.verify, name="verify"),
    path("verify/file/", verify_views.verify_upload, name="verify_upload"),
    path("verify/<str:code>/", verify_views.verify_code, name="verify_code"),
    path("news/", bulletin_views.news, name="news"),
    path("news/feed/", bulletin_views.feed_here, name="feed_here"),
    path("news/feed/<str:language>/", bulletin_feed, name="bulletin_feed"),
    path("news/<slug:slug>/", bulletin_views.bulletin, name="bulletin"),
    # Issue 15 "site": the brand served by the site itself, and the page that
    # proves the channel is genuine.
    path("site/brand.css", site_views.brand_css, name="brand_css"),
    path("site/logo.png", site_views.logo, name="site_logo"),
    path("verify-this-site/", site_views.verify_site, name="verify_site"),
    path("verify-this-site/statement.txt", site_views.statement, name="statement"),
    path(
        "verify-this-site/statement.txt.p7s",
        site_views.statement_signature,
        name="statement_signature",
    ),
    path(
        "verify-this-site/certificate.pem",
        site_views.certificate,
        name="signing_certificate",
    ),
]
