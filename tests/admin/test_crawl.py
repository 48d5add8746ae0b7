"""Every page of admin answers: the changelist, add page, a row's change page and its History
page of every registered model, for an administrator; program staff read but get 403 where
they may not change."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _urls(model, obj):
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return {
        "changelist": reverse(f"{info}_changelist"),
        "add": reverse(f"{info}_add"),
        "change": reverse(f"{info}_change", args=[obj.pk]),
        "history": reverse(f"{info}_history", args=[obj.pk]),
    }


def test_every_admin_page_opens_for_an_administrator(client, workbench, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(superuser)
    problems = []
    for model, model_admin in registered():
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {model._meta.label} in the fixed data"
        urls = _urls(model, obj)
        request = type("R", (), {"user": superuser})()
        expected_add = 200 if model_admin.has_add_permission(request) else 403
        for page, url in urls.items():
            status = client.get(url).status_code
            expected = expected_add if page == "add" else 200
            if status != expected:
                problems.append(f"{model._meta.label} {page}: {status} (expected {expected})")
    assert problems == []


def test_program_staff_read_every_record_but_may_not_add_or_change(
    client, workbench, program_staff
):
    client.force_login(program_staff)
    problems = []
    for model, _model_admin in registered():
        if model._meta.app_label == "auth":
            continue  # logins and roles are the administrators' (program staff do not see them)
        obj = model._default_manager.order_by("pk").first()
        urls = _urls(model, obj)
        for page, expected in (("changelist", 200), ("change", 200), ("history", 200)):
            status = client.get(urls[page]).status_code
            if status != expected:
                problems.append(f"{model._meta.label} {page}: {status}")
        if client.get(urls["add"]).status_code != 403:
            problems.append(f"{model._meta.label} add: not 403")
        if client.post(urls["change"], {}).status_code != 403:
            problems.append(f"{model._meta.label} change (POST): not 403")
    assert problems == []


def test_the_admin_wears_the_portal_name_and_colours(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    from tests.web.support import translated

    assert translated("KSM Portal") in page
    assert "css/admin.css" in page
    assert "Administrasi Django" not in page
