from django.urls import path

from tipline.outreach import site_views, verify_views, views

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("what-not-to-report/", views.guidance, name="guidance"),
    path("statistics/", views.statistics, name="statistics"),
    path("verify/", verify_views.verify, name="verify"),
    path("verify/file/", verify_views.verify_upload, name="verify_upload"),
    path("verify/<str:code>/", verify_views.verify_code, name="verify_code"),
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
