from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/activate/", views.activate, name="activate"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/slip/", views.slip, name="slip"),
]
