"""Loans on the web: products, the book's loans and borrowings, the application and the
decisions on it, the forms that post (disbursement, repayment, write-off, the loan-loss reserve,
a borrowing), the loan page with its schedule and card, the printable schedule, a borrower's
statement and the portfolio report.

Reading follows `visible_book` (404 outside the user's scope); anything that changes a loan
follows `postable_book` (403 for read-only viewers). Forms that post carry a one-time token:
sending one again shows what it already posted. Decisions that post nothing are guarded by
the loan's status (or, rescheduling, by the plan's version), so a second submission changes
nothing either.
"""

from django.urls import path

from .applications import loan_apply, loan_approve, loan_reject
from .arrears import loan_provision, loan_reschedule, loan_write_off
from .borrowings import borrowing_list, borrowing_new
from .lists import loan_list
from .pages import loan_detail, loan_schedule
from .payments import loan_disburse, loan_repay
from .products import product_edit, products
from .statements import group_statement, member_statement, portfolio_report

urlpatterns = [
    path("books/<int:book_id>/loan-products/", products, name="loan_products"),
    path("books/<int:book_id>/loan-products/new/", product_edit, name="loan_product_new"),
    path("books/<int:book_id>/loan-products/<int:pk>/", product_edit, name="loan_product_edit"),
    path("books/<int:book_id>/loans/", loan_list, name="loans"),
    path("books/<int:book_id>/loans/apply/", loan_apply, name="loan_apply"),
    path("books/<int:book_id>/loans/reserve/", loan_provision, name="loan_provision"),
    path("books/<int:book_id>/loans/portfolio/", portfolio_report, name="portfolio"),
    path("books/<int:book_id>/loans/<int:loan_id>/", loan_detail, name="loan"),
    path("books/<int:book_id>/loans/<int:loan_id>/schedule/", loan_schedule, name="loan_schedule"),
    path("books/<int:book_id>/loans/<int:loan_id>/approve/", loan_approve, name="loan_approve"),
    path("books/<int:book_id>/loans/<int:loan_id>/reject/", loan_reject, name="loan_reject"),
    path("books/<int:book_id>/loans/<int:loan_id>/disburse/", loan_disburse, name="loan_disburse"),
    path("books/<int:book_id>/loans/<int:loan_id>/repay/", loan_repay, name="loan_repay"),
    path(
        "books/<int:book_id>/loans/<int:loan_id>/reschedule/",
        loan_reschedule,
        name="loan_reschedule",
    ),
    path(
        "books/<int:book_id>/loans/<int:loan_id>/write-off/", loan_write_off, name="loan_write_off"
    ),
    path("books/<int:book_id>/borrowings/", borrowing_list, name="borrowings"),
    path("books/<int:book_id>/borrowings/new/", borrowing_new, name="borrowing_new"),
    path(
        "books/<int:book_id>/members/<int:member_id>/statement/",
        member_statement,
        name="member_statement",
    ),
    path(
        "books/<int:book_id>/ksm/<int:group_id>/statement/",
        group_statement,
        name="group_statement",
    ),
]
