from django.urls import path

from tipline.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    path("account/two-factor/", views.enrol_second_factor, name="two_factor"),
    path("account/password/", views.change_password, name="password"),
    path("setup/<str:token>/", views.setup, name="setup"),
]
