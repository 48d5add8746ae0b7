from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import pwa, views

admin.site.site_header = _("KSM Portal")
admin.site.site_title = _("KSM Portal")
admin.site.index_title = _("Staff workbench")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("villages.urls")),
    path("", include("groups.urls")),
    path("", include("finance.urls")),
    path("", include("training.urls")),
    path("", include("dashboard.urls")),
    path("imports/", include("imports.urls")),
]

handler500 = "ksm_portal.views.server_error"
