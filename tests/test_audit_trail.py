"""Every record a user can change keeps its history (who, when, what changed). The rest are
named here with the reason they need none: rows written once by a posting and never changed
(immutable by trigger or by the flows that write them; the row carries who and when), totals
derived from the journal (verify_books checks them against the lines), and the audit records
themselves. A new model must take a side, or this test fails by its name."""

from django.apps import apps

from dashboard.selectors.activity import audited_models

WITHOUT_HISTORY = {
    # The audit records themselves.
    "accounts.loginevent": "is the record of logins, failed logins, activations and unlocks",
    "accounts.rolesversion": "a stamp bumped when roles change (their changes are in the "
    "history of memberships, offices, assignments and groups)",
    "accounts.activationcode": "issued, used and revoked as login events; only a hash is kept",
    # Posted once, never changed: corrections are reversals, new versions, new rows.
    "finance.journalentry": "posted once (posted_by, posted_at); immutable by trigger",
    "finance.journalline": "posted with its entry; immutable by trigger",
    "finance.meeting": "recorded once by the meeting sheet (recorded_by, recorded_at)",
    "finance.meetingline": "recorded with its meeting",
    "finance.loanschedule": "a new version for each replan, the old ones kept",
    "finance.instalment": "written with its schedule version",
    "finance.surplusshare": "computed and posted with its distribution (which has history)",
    # Totals kept from the journal's lines (verify_books recomputes them).
    "finance.accountmonth": "derived totals",
    "finance.accountday": "derived totals",
    "finance.memberbalance": "derived totals",
    "finance.groupbalance": "derived totals",
    "finance.bookyear": "the entry-number counter",
    "finance.bookmonth": "derived totals",
    "dashboard.regionmonth": "derived totals (rollups)",
    "dashboard.regionpending": "derived totals queued for the rollups (drained each minute)",
    "dashboard.regiongrade": "derived totals (rollups)",
    # Staged rows of an import: the batch itself has history.
    "imports.importrow": "staged rows of a file, deleted when it is cancelled",
}

OWN_APPS = ("accounts", "villages", "groups", "finance", "training", "dashboard", "imports")


def test_every_model_a_user_can_change_keeps_history():
    audited = {model._meta.label_lower for model in audited_models()}
    models = {
        model._meta.label_lower
        for app in OWN_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed
        and not model._meta.proxy
        and not model.__name__.startswith("Historical")
    }
    undecided = sorted(models - audited - WITHOUT_HISTORY.keys())
    assert undecided == [], f"add history (or a reason in WITHOUT_HISTORY) for {undecided}"
    both = sorted(audited & WITHOUT_HISTORY.keys())
    assert both == [], f"{both} have history: take them out of WITHOUT_HISTORY"
    assert "imports.importbatch" in audited
