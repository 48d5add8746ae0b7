from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("ksm/", views.group_list_view, name="list"),
    path("ksm/new/", views.group_create, name="create"),
    path("ksm/<int:pk>/", views.group_detail, name="detail"),
    path("ksm/<int:pk>/edit/", views.group_update, name="update"),
    path("ksm/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("members/", views.member_search_view, name="member_search"),
    path("members/<int:pk>/edit/", views.member_update, name="member_update"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("memberships/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("memberships/<int:pk>/login/", views.membership_login, name="membership_login"),
    path(
        "memberships/<int:pk>/login/reset/",
        views.membership_login_reset,
        name="membership_login_reset",
    ),
    path("officers/<str:kind>/<int:pk>/new/", views.officer_add, name="officer_add"),
    path("officers/<int:pk>/end/", views.officer_end, name="officer_end"),
    path("officers/<int:pk>/login/", views.officer_login, name="officer_login"),
    path("officers/<int:pk>/login/reset/", views.officer_login_reset, name="officer_login_reset"),
    path("cooperatives/", views.cooperative_list, name="cooperative_list"),
    path("cooperatives/new/", views.cooperative_create, name="cooperative_create"),
    path("cooperatives/<int:pk>/", views.cooperative_detail, name="cooperative_detail"),
    path("cooperatives/<int:pk>/edit/", views.cooperative_update, name="cooperative_update"),
    path("cooperatives/<int:pk>/admit/", views.cooperative_admit, name="cooperative_admit"),
    path(
        "cooperative-memberships/<int:pk>/end/",
        views.cooperative_membership_end,
        name="cooperative_membership_end",
    ),
]
