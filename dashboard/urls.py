from django.urls import path

from .views import activity, dashboard, overview

app_name = "dashboard"

urlpatterns = [
    path("activity/", activity.activity, name="activity"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("overview/", overview.overview, name="overview"),
    path("overview/<str:regency_code>/", overview.overview, name="overview"),
]
