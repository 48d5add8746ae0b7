from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_start, name="start"),
    path("template/<slug:kind>.xlsx", views.import_template, name="template"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/check/", views.import_check, name="check"),
    path("<int:pk>/commit/", views.import_commit, name="commit"),
    path("<int:pk>/cancel/", views.import_cancel, name="cancel"),
]
