"""The project's URLs plus one that fails, for the error-report tests."""

from django.urls import path

from ksm_portal.urls import handler500
from ksm_portal.urls import urlpatterns as project_urlpatterns


class Boom(Exception):
    pass


def boom(request):
    raise Boom("kas tidak seimbang (uji laporan kesalahan)")


urlpatterns = [*project_urlpatterns, path("uji/boom/", boom)]
__all__ = ["handler500", "urlpatterns"]
