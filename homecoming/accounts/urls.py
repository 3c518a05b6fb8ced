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
