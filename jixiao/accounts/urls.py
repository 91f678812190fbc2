from django.urls import path

from jixiao.accounts import otp, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/role/", views.RoleAssignView.as_view(), name="role_assign"),
    path("users/<int:pk>/unlock/", views.UnlockView.as_view(), name="user_unlock"),
    path("users/<int:pk>/active/", views.UserActiveView.as_view(), name="user_active"),
    path("users/<int:pk>/otp-reset/", otp.ResetView.as_view(), name="otp_reset"),
    path("otp/", otp.VerifyView.as_view(), name="otp_verify"),
    path("otp/enrol/", otp.EnrolView.as_view(), name="otp_enrol"),
]
