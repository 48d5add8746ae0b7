"""The monthly meeting (rapat bulanan): the sheet a treasurer fills in on a phone and sends
once, the printable summary shown to the group, and the list of a book's meetings.

The sheet's address carries its one-time token (?t=) like every record form (`one_time_form`):
sending the same sheet again (a double tap, back and resend, a retry after a timeout) shows
the meeting it recorded. A sheet for a date whose meeting is already recorded is refused as stale.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ksm_portal.exports import list_format, list_response
from ksm_portal.forms import apply_validation_error
from ksm_portal.pagination import paginate

from .. import list_exports
from ..forms.meetings import MeetingSheetForm
from ..models import Book, Meeting
from ..selectors.meetings import book_meetings, meeting_lines, meeting_sheet
from ..services.meetings import SheetError, meeting_check, meeting_record
from .common import can_post, one_time_form, postable_book, visible_book


def _ksm_book(book: Book) -> Book:
    if book.kind != Book.Kind.KSM:
        raise Http404
    return book


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _sheet_date(request, book: Book, today: datetime.date) -> datetime.date:
    """The date a sheet is opened for: today, or the one asked for, within the books."""
    on_date = _date(request.GET.get("date")) or today
    if on_date > today:
        messages.warning(request, _("A meeting cannot be recorded for a future date."))
        on_date = today
    if on_date < book.opening_date:
        messages.warning(
            request,
            _("The books opened on %(date)s; the meeting cannot be earlier.")
            % {"date": book.opening_date.strftime("%d-%m-%Y")},
        )
        on_date = book.opening_date
    return on_date


def _show_problems(form, error: ValidationError) -> None:
    if isinstance(error, SheetError):
        form.mark_problems(error.lines)
    else:
        apply_validation_error(form, error)


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request, book_id):
    """The sheet, sent once (`one_time_form`): what its token recorded is the meeting."""
    book = _ksm_book(postable_book(request, book_id))
    today = timezone.localdate()

    def make_form(data, token):
        if data is not None:
            on_date = _date(data.get("meeting_date")) or today
            return MeetingSheetForm(data, book=book, sheet=meeting_sheet(book, on_date))
        on_date = _sheet_date(request, book, today)
        return MeetingSheetForm(book=book, sheet=meeting_sheet(book, on_date), token=token)

    def check_lines(form) -> None:
        if form.only_lines_wrong():
            # Check the lines that could be read too, so every problem shows at once.
            form.mark_problems(
                meeting_check(
                    book=book,
                    meeting_date=form.cleaned_data["meeting_date"],
                    lines=form.sheet_lines(),
                )
            )

    def render_page(form, used):
        rows = form.rows()
        return render(
            request,
            "finance/meeting_sheet.html",
            {
                "book": book,
                "form": form,
                "sheet": form.sheet,
                "rows": rows,
                "used": used,
                "today": today,
                "invalid_rows": [item for item in rows if item["invalid"]] if form.is_bound else [],
            },
        )

    return one_time_form(
        request,
        book=book,
        make_form=make_form,
        call=meeting_record,
        service_kwargs=lambda form: {
            "book": book,
            "meeting_date": form.cleaned_data["meeting_date"],
            "lines": form.sheet_lines(),
            "notes": form.cleaned_data["notes"],
        },
        message=lambda recorded: (
            _("The meeting of %(date)s is recorded.")
            % {"date": recorded.meeting.meeting_date.strftime("%d-%m-%Y")}
        ),
        render_page=render_page,
        target=lambda recorded: recorded.meeting,
        posted_before=lambda book, key: (
            Meeting.objects.filter(book=book, token=key).first() if key else None
        ),
        already_target=lambda meeting: meeting,
        already_message=_("This sheet was already recorded."),
        amount_of=None,  # the sheet's amounts are each member's: nothing unusual to total
        on_refused=_show_problems,
        on_invalid=check_lines,
    )


@login_required
@require_safe
def meeting_detail(request, book_id, pk):
    book = _ksm_book(visible_book(request, book_id))
    meeting = get_object_or_404(
        Meeting.objects.filter(book=book).select_related("recorded_by"), pk=pk
    )
    lines = list(meeting_lines(meeting))
    return render(
        request,
        "finance/meeting_detail.html",
        {
            "book": book,
            "meeting": meeting,
            "lines": lines,
            "totals": {
                name: sum((getattr(line, name) for line in lines), 0)
                for name in ("mandatory", "voluntary_in", "voluntary_out", "repayment", "fine")
            },
            "can_post": can_post(request.user, book),
        },
    )


@login_required
@require_safe
def meeting_list(request, book_id):
    book = _ksm_book(visible_book(request, book_id))
    fmt = list_format(request)
    if fmt:
        return list_response(request, list_exports.meetings_export(book, book_meetings(book)), fmt)
    page, querystring = paginate(request, book_meetings(book))
    return render(
        request,
        "finance/meeting_list.html",
        {
            "book": book,
            "page": page,
            "querystring": querystring,
            "can_post": can_post(request.user, book),
        },
    )


urlpatterns = [
    path("books/<int:book_id>/meetings/", meeting_list, name="meetings"),
    path("books/<int:book_id>/meetings/sheet/", sheet, name="meeting_sheet"),
    path("books/<int:book_id>/meetings/<int:pk>/", meeting_detail, name="meeting"),
]
