from django.urls import path

from . import views

app_name = "villages"

urlpatterns = [
    path("bumdes/", views.bumdes_list, name="bumdes_list"),
    path("bumdes/new/", views.bumdes_create, name="bumdes_create"),
    path("bumdes/<int:pk>/", views.bumdes_detail, name="bumdes_detail"),
    path("bumdes/<int:pk>/edit/", views.bumdes_update, name="bumdes_update"),
    path("regions/", views.regions, name="regions"),
    path("regions/<str:code>/", views.regions, name="regions"),
]
