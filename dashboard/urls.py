from django.urls import path

from .views import dashboard, overview

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("overview/", overview.overview, name="overview"),
    path("overview/<str:regency_code>/", overview.overview, name="overview"),
]
