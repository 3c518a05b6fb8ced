"""The accounts' pages: sign-in and sign-out at the top (`signin_patterns`, names "login",
"logout", "api-token"), a user's second factor and tokens under /account/ (`urlpatterns`,
namespace "accounts")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from homecoming.accounts import views

app_name = "accounts"
urlpatterns = [
    path("second-factor/", views.enrol, name="enrol"),
    path("second-factor/backup-codes/", views.new_backup_codes, name="backup-codes"),
    path("verify/", views.verify, name="verify"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]

signin_patterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/token/", views.ObtainToken.as_view(), name="api-token"),
]
