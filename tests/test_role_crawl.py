"""The role crawl (issue 14): every URL pattern of the site, filled with objects in and out of
each role's scope, GET (with its xlsx, csv and pdf exports) and an empty POST. Out of scope
answers 403 or 404 (a redirect to login for anonymous), never 200; nothing is written by an
out-of-scope request or by a read-only role; nothing answers 500. A URL pattern without a
rule here fails the crawl by name.

Two worlds: "ours" (village A: the facilitator's, the KSM whose chair and treasurer log in, the
BUMDes and cooperative whose officers log in) and "theirs" (another village in another
regency, with its own KSM, books, loan, meeting, training, visit...), which none of the
scoped roles may reach.
"""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.views import redirect_to_login
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from finance.models import Account, Book, JournalEntry, Loan, Meeting, SurplusDistribution
from finance.services import book_open, cash_receive, loan_product_save, savings_deposit
from finance.services.loans import loan_apply, loan_approve, loan_disburse
from groups.models import Cooperative, Member, Membership, Officer, SelfHelpGroup
from groups.services import cooperative_admit_group, officer_appoint
from imports.models import ImportBatch
from tests.groups.factories import (
    CooperativeFactory,
    MemberFactory,
    MembershipFactory,
    SelfHelpGroupFactory,
    UserFactory,
)
from tests.training.factories import (
    ConfirmedAssessmentFactory,
    FollowUpActionFactory,
    TrainingEventFactory,
    VisitFactory,
)
from tests.villages.factories import (
    BumdesFactory,
    DistrictFactory,
    FacilitatorAssignmentFactory,
    VillageFactory,
)
from training.models import Material, TrainingEvent, Visit

pytestmark = pytest.mark.django_db

# Pages anyone may open, signed in or not, that show no one's data.
PUBLIC = {
    "home",
    "healthz",
    "login",
    "logout",
    "set_language",
    "accounts:activate",
    "pwa_manifest",  # the installable app: the same for everyone
    "pwa_service_worker",
}
# Pages of the signed-in user's own account (no object of anyone else's in the URL).
OWN = {"accounts:password_change", "accounts:slip"}

# URL kwarg -> the kind of object it names, for every pattern; `pk` means something else on
# every page, so it is named per pattern.
KWARG_OBJECTS = {
    "book_id": "book",
    "loan_id": "loan",
    "member_id": "member",
    "group_id": "ksm",
    "group_pk": "ksm",
    "account_id": "account",
    "entry_id": "entry",
    "owner_id": "ksm",
    "regency_code": "regency_code",
    "code": "village_code",
}
PK_OBJECTS = {
    "villages:bumdes_detail": "bumdes",
    "villages:bumdes_update": "bumdes",
    "groups:detail": "ksm",
    "groups:update": "ksm",
    "groups:member_add": "ksm",
    "groups:member_update": "member",
    "groups:membership_end": "membership",
    "groups:membership_role": "membership",
    "groups:membership_login": "membership",
    "groups:membership_login_reset": "membership",
    "groups:officer_add": "bumdes",
    "groups:officer_end": "officer",
    "groups:officer_login": "officer",
    "groups:officer_login_reset": "officer",
    "groups:cooperative_detail": "cooperative",
    "groups:cooperative_update": "cooperative",
    "groups:cooperative_admit": "cooperative",
    "groups:cooperative_membership_end": "cooperative_membership",
    "finance:entry": "entry",
    "finance:entry_reverse": "entry",
    "finance:entry_receipt": "entry",
    "finance:account_update": "account",
    "finance:loan_product_edit": "product",
    "finance:meeting": "meeting",
    "finance:distribution": "distribution",
    "finance:distribution_share": "distribution",
    "finance:distribution_sign": "distribution",
    "training:event_detail": "event",
    "training:event_update": "event",
    "training:event_invite": "event",
    "training:event_attendance": "event",
    "training:material_add": "event",
    "training:material_download": "material",
    "training:visit_detail": "visit",
    "training:followup_add": "visit",
    "training:group_visits": "ksm",
    "training:visit_create": "ksm",
    "training:followup_close": "followup",
    "training:group_assessments": "ksm",
    "training:assessment_start": "ksm",
    "training:assessment_detail": "assessment",
    "imports:detail": "batch",
    "imports:check": "batch",
    "imports:commit": "batch",
    "imports:cancel": "batch",
}
# Kwargs that are not objects: the same value in both worlds.
FIXED = {
    "form": "cash-in",
    "kind": "bumdes",
    "owner_kind": "ksm",
    "year": 2018,
}
# Patterns with no object of anyone's in the URL: lists, searches, forms to create, filtered
# to the user's scope (checked below by the other world's names never showing).
SCOPED_LISTS = {
    "villages:bumdes_list",
    "villages:bumdes_create",
    "groups:list",
    "groups:create",
    "groups:member_search",
    "groups:cooperative_list",
    "groups:cooperative_create",
    "training:agenda",
    "training:event_list",
    "training:event_create",
    "training:coverage",
    "training:visit_list",
    "training:grading",
    "dashboard:activity",
    "dashboard:dashboard",
    "dashboard:overview",
    "villages:regions",
    "imports:start",
    "imports:template",
}
TEMPLATE_KIND = "members"

# Rows no out-of-scope request and no read-only role may add or change.
WATCHED = (
    JournalEntry,
    Loan,
    Meeting,
    SurplusDistribution,
    Account,
    Book,
    Member,
    Membership,
    Officer,
    SelfHelpGroup,
    TrainingEvent,
    Visit,
    ImportBatch,
)
# The books' rows, which program staff (who post nothing) never write.
BOOK_ROWS = (JournalEntry, Loan, Meeting, SurplusDistribution, Account, Book)


def url_patterns():
    """(name, pattern, kwarg names) of every URL of the site but admin and static files."""
    found = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                route = str(entry.pattern)
                if route.startswith(("admin/", "static/", "media/")):
                    continue
                ns = ":".join(filter(None, [namespace, entry.namespace]))
                walk(entry.url_patterns, prefix + route, ns)
            elif isinstance(entry, URLPattern):
                name = ":".join(filter(None, [namespace, entry.name]))
                found.append((name, prefix + str(entry.pattern), list(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "", "")
    return found


def _world(tag, village, actor):
    """A KSM with officers who log in, its books with a loan, a meeting and a SHU plan; a
    BUMDes and a cooperative with officers who log in and books; a training with a material,
    a visit with a follow-up, an assessment, an import."""
    ksm = SelfHelpGroupFactory(village=village, name=f"KSM Rahasia {tag}")
    users = {}
    officers = {}
    for role in ("chair", "treasurer"):
        account = UserFactory(username=f"{role}.{tag}")
        member = MemberFactory(village=village, user=account)
        MembershipFactory(
            group=ksm, member=member, role=role, joined_date=datetime.date(2016, 6, 1)
        )
        users[role] = account
        officers[role] = member
    saver = MembershipFactory(
        group=ksm, joined_date=datetime.date(2016, 6, 1), member__full_name=f"Penabung {tag}"
    )
    bumdes = BumdesFactory(village=village, name=f"BUMDes Rahasia {tag}")
    cooperative = CooperativeFactory(regency=village.district.regency, name=f"Koperasi {tag}")
    coop_membership = cooperative_admit_group(
        actor=actor, cooperative=cooperative, group=ksm, joined_date=datetime.date(2018, 1, 1)
    )
    for entity, role, key in ((bumdes, "director", "bumdes"), (cooperative, "chair", "coop")):
        officer = officer_appoint(
            actor=actor,
            entity=entity,
            full_name=f"Pengurus {key} {tag}",
            role=role,
            start_date=datetime.date(2018, 1, 1),
        )
        officer.user = UserFactory(username=f"{key}.{tag}")
        officer.save(update_fields=["user"])
        users[key] = officer.user
    book = book_open(owner=ksm, opening_date=datetime.date(2017, 1, 1))
    entry = cash_receive(
        book=book,
        source="grant",
        amount=5_000_000,
        entry_date=datetime.date(2017, 1, 1),
        description=f"Hibah {tag}",
    )
    savings_deposit(
        book=book,
        member=saver.member,
        savings_type="savings_mandatory",
        amount=400_000,
        entry_date=datetime.date(2017, 1, 1),
    )
    product = loan_product_save(
        book=book,
        name="Pinjaman usaha",
        interest_method="flat",
        monthly_rate=Decimal("2"),
        max_term_months=12,
        admin_fee_percent=Decimal("1"),
        fine_rule="fixed",
        fine_value=Decimal(5_000),
        grace_days=3,
        max_savings_multiple=Decimal("3"),
    )
    loan = loan_apply(
        book=book,
        product=product,
        member=saver.member,
        principal=1_000_000,
        term_months=10,
        purpose="Modal warung",
        applied_date=datetime.date(2017, 1, 5),
    )
    loan_approve(
        loan=loan, decided_date=datetime.date(2017, 1, 6), approved_by_member=officers["chair"]
    )
    loan_disburse(
        loan=loan,
        disbursed_date=datetime.date(2017, 1, 10),
        first_due_date=datetime.date(2017, 2, 10),
    )
    meeting = Meeting.objects.create(
        group=ksm,
        book=book,
        meeting_date=datetime.date(2017, 3, 10),
        token=f"crawl-meeting-{tag}",
        members_count=3,
        present_count=3,
    )
    distribution = SurplusDistribution.objects.create(
        book=book, year=2017, decided_date=datetime.date(2018, 1, 20), reserve_pct=100
    )
    bumdes_book = book_open(owner=bumdes, opening_date=datetime.date(2018, 1, 1))
    coop_book = book_open(owner=cooperative, opening_date=datetime.date(2018, 1, 1))
    event = TrainingEventFactory(village=village, invited=[ksm])
    material = Material.objects.create(
        event=event,
        title="Modul",
        file=f"materials/modul-{tag}.pdf",
        original_name="modul.pdf",
        size=10,
        content_type="application/pdf",
    )
    visit = VisitFactory(group=ksm)
    followup = FollowUpActionFactory(visit=visit)
    assessment = ConfirmedAssessmentFactory(group=ksm)
    uploader = UserFactory(username=f"pengunggah.{tag}")
    FacilitatorAssignmentFactory(village=village, user=uploader)
    batch = ImportBatch.objects.create(
        kind="members", file_name="a.xlsx", file_sha256=tag * 8, created_by=uploader
    )
    users["facilitator"] = uploader
    return {
        "users": users,
        "objects": {
            "ksm": ksm.pk,
            "member": saver.member.pk,
            "membership": saver.pk,
            "bumdes": bumdes.pk,
            "cooperative": cooperative.pk,
            "cooperative_membership": coop_membership.pk,
            "officer": Officer.objects.get(bumdes=bumdes).pk,
            "book": book.pk,
            "entry": entry.entry.pk,
            "account": book.accounts.order_by("pk").first().pk,
            "product": product.pk,
            "loan": loan.pk,
            "meeting": meeting.pk,
            "distribution": distribution.pk,
            "event": event.pk,
            "material": material.pk,
            "visit": visit.pk,
            "followup": followup.pk,
            "assessment": assessment.pk,
            "batch": batch.pk,
            "regency_code": village.district.regency.code,
            "village_code": village.code,
        },
        "books": [book.pk, bumdes_book.pk, coop_book.pk],
        "names": [ksm.name, f"Penabung {tag}", bumdes.name, f"Hibah {tag}"],
    }


NEIGHBOUR = "KSM Tetangga Koperasi"


@pytest.fixture
def worlds(staff_user):
    """Ours, theirs, and in our cooperative a neighbour KSM of another village of the regency
    (in the sight of the cooperative's officers, of no one else of ours)."""
    ours = _world("Kita", VillageFactory(), staff_user)
    theirs = _world("Seberang", VillageFactory(), staff_user)
    regency = Cooperative.objects.get(pk=ours["objects"]["cooperative"]).regency
    neighbour = SelfHelpGroupFactory(
        village=VillageFactory(district=DistrictFactory(regency=regency)), name=NEIGHBOUR
    )
    cooperative_admit_group(
        actor=staff_user,
        cooperative=Cooperative.objects.get(pk=ours["objects"]["cooperative"]),
        group=neighbour,
        joined_date=datetime.date(2018, 1, 1),
    )
    ours["neighbour"] = neighbour.pk
    return ours, theirs


def _kwargs(name, params, world, book=None):
    kwargs = {}
    for param in params:
        if param == "pk":
            kind = PK_OBJECTS.get(name)
        elif param in FIXED:
            kwargs[param] = FIXED[param]
            continue
        elif name == "imports:template" and param == "kind":
            kwargs[param] = TEMPLATE_KIND
            continue
        else:
            kind = KWARG_OBJECTS.get(param)
        if kind is None:
            return None
        kwargs[param] = book if (kind == "book" and book) else world["objects"][kind]
    return kwargs


def _leaks(what, response, hidden) -> list:
    if not hidden:
        return []
    text = _text(response)
    shown = [name for name in hidden if name in text]
    return [f"{what} shows {shown}"] if shown else []


def _counts():
    return {model._meta.label: model._default_manager.count() for model in WATCHED}


def _text(response) -> str:
    """What a page or an export shows: its HTML, or the cells of an xlsx."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(
                archive.read(n).decode(errors="replace")
                for n in archive.namelist()
                if n.endswith(".xml")
            )
    return content.decode(errors="replace")


LOGIN = redirect_to_login("/").url.split("?")[0]
# The files a page gives with ?format= (pages without exports answer with the page itself).
EXPORTS = ("xlsx", "csv", "pdf")


def _refused(client, response, anonymous, names):
    """403, 404, 405; a redirect to login; or, signed in, a redirect to a page of the user's
    own sight (a KSM book's page for a shared books' page, say) that shows none of `names`."""
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code != 302:
        return False
    if response.url.startswith(LOGIN):
        return True
    if anonymous:
        return False
    landed = client.get(response.url)
    if landed.status_code in (403, 404) or (
        landed.status_code == 302 and landed.url.startswith(LOGIN)
    ):
        return True
    page = landed.content.decode(errors="replace")
    return landed.status_code == 200 and not any(name in page for name in names)


def crawl(client, worlds, *, anonymous=False, read_only_books=False, opened=None, hidden=()):
    """The problems found; `opened` (a set) gathers the patterns that opened (200) in our
    world, so a crawl that reaches nothing cannot pass unnoticed."""
    ours, theirs = worlds
    problems = []
    opened = set() if opened is None else opened
    for name, route, params in url_patterns():
        if name in PUBLIC:
            continue
        if name in OWN or name in SCOPED_LISTS:
            kwargs = _kwargs(name, params, ours) if params else {}
            if kwargs is None:
                problems.append(f"add a scope rule for {name} ({route})")
                continue
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                before = _counts()
                response = getattr(client, method)(url, {})
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url}: {response.status_code}")
                if anonymous and not _refused(client, response, True, []):
                    problems.append(f"{method.upper()} {url}: {response.status_code} anonymous")
                if method == "post" and _counts() != before and (anonymous or read_only_books):
                    problems.append(f"POST {url} wrote rows")
                if response.status_code == 200:
                    problems += _leaks(f"{method.upper()} {url}", response, hidden)
            continue
        if not params:
            problems.append(f"add a scope rule for {name} ({route})")
            continue
        kwargs = _kwargs(name, params, ours)
        if kwargs is None:
            problems.append(f"add a scope rule for {name} ({route}): kwargs {params}")
            continue
        # In our world: no 500 (and for program staff, no write to any books).
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            before = _counts()
            response = getattr(client, method)(url, {})
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url}: {response.status_code}")
            if method == "get" and response.status_code == 200:
                opened.add(name)
                problems += _leaks(f"GET {url}", response, hidden)
                for fmt in EXPORTS:
                    export = client.get(url, {"format": fmt})
                    if export.status_code >= 500:
                        problems.append(f"GET {url}?format={fmt}: {export.status_code}")
                    elif export.status_code == 200 and fmt != "pdf":
                        # A PDF is drawn from the page's own context, whose HTML is read
                        # above; its text is not extractable without a PDF reader.
                        problems += _leaks(f"GET {url}?format={fmt}", export, hidden)
            after = _counts()
            if read_only_books and any(
                after[m._meta.label] != before[m._meta.label] for m in BOOK_ROWS
            ):
                problems.append(f"POST {url} wrote to the books as a read-only role")
            if anonymous and not _refused(client, response, True, []):
                problems.append(f"{method.upper()} {url}: {response.status_code} anonymous")
        if read_only_books:
            continue  # program staff see all regions: there is no "out of scope"
        # Their world, whole, and their objects inside our book.
        books = theirs["books"] if "book_id" in params else [None]
        targets = [_kwargs(name, params, theirs, book=b) for b in books]
        if "book_id" in params and set(params) - {"book_id", *FIXED}:
            mixed = _kwargs(name, params, theirs)
            mixed["book_id"] = ours["objects"]["book"]
            targets.append(mixed)
        if "group_id" in params and "book_id" in params and NEIGHBOUR in hidden:
            # Our cooperative's books, a member KSM of it we do not see.
            inside = _kwargs(name, params, ours, book=ours["books"][2])
            inside["group_id"] = ours["neighbour"]
            targets.append(inside)
        for target in targets:
            url = reverse(name, kwargs=target)
            exports = [("get", {"format": fmt}) for fmt in EXPORTS]
            for method, data in [("get", {}), ("post", {}), *exports]:
                before = _counts()
                response = getattr(client, method)(url, data)
                if not _refused(client, response, anonymous, theirs["names"]):
                    problems.append(
                        f"{method.upper()} {url} {data} ({name}): {response.status_code}"
                        " out of scope"
                    )
                if _counts() != before:
                    problems.append(f"{method.upper()} {url} ({name}) wrote rows out of scope")
    return problems


_ALL_KINDS = set(KWARG_OBJECTS.values()) | set(PK_OBJECTS.values())


def unruled(patterns):
    """The patterns this crawl has no rule for, each named."""
    known = PUBLIC | OWN | SCOPED_LISTS
    missing = []
    for name, route, params in patterns:
        if name in known:
            continue
        if not params or _kwargs(name, params, {"objects": dict.fromkeys(_ALL_KINDS, 1)}) is None:
            missing.append(f"add a scope rule for {name} ({route})")
    return missing


def test_every_url_has_a_scope_rule():
    assert unruled(url_patterns()) == []


def test_a_new_url_without_a_rule_is_named():
    new = [
        ("finance:audit", "books/<int:book_id>/audit/<int:pk>/", ["book_id", "pk"]),
        ("groups:export", "ksm/export/", []),
        ("training:badge", "badges/<int:badge_id>/", ["badge_id"]),
        ("finance:cash_book", "books/<int:book_id>/cash/", ["book_id"]),
    ]
    assert unruled(new) == [
        "add a scope rule for finance:audit (books/<int:book_id>/audit/<int:pk>/)",
        "add a scope rule for groups:export (ksm/export/)",
        "add a scope rule for training:badge (badges/<int:badge_id>/)",
    ]


def test_anonymous_is_sent_to_login_everywhere(worlds):
    assert crawl(Client(), worlds, anonymous=True) == []


def test_program_staff_read_everywhere_and_post_nothing(worlds, program_staff):
    client = Client()
    client.force_login(program_staff)
    opened = set()
    assert crawl(client, worlds, read_only_books=True, opened=opened) == []
    assert {"finance:book", "groups:detail", "villages:bumdes_detail"} <= opened


# Pages each role opens in its own world, so the crawl is known to have reached its sight.
OWN_PAGES = {
    "facilitator": {"groups:detail", "finance:book", "training:visit_detail"},
    "chair": {"groups:detail", "finance:book", "finance:loan"},
    "treasurer": {"groups:detail", "finance:book", "finance:loan", "finance:entry"},
    "bumdes": {"villages:bumdes_detail"},
    "coop": {"groups:cooperative_detail"},
}


@pytest.mark.parametrize("role", sorted(OWN_PAGES))
def test_a_scoped_role_reaches_nothing_of_another_world(worlds, role):
    ours, _theirs = worlds
    client = Client()
    client.force_login(ours["users"][role])
    opened = set()
    hidden = [*_theirs["names"], *([] if role == "coop" else [NEIGHBOUR])]
    assert crawl(client, worlds, opened=opened, hidden=hidden) == []
    assert OWN_PAGES[role] <= opened
