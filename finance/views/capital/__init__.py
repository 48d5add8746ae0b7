"""Capital: where a book's money comes from and where it is; a cooperative's member KSM and
their savings; sharing a closed year's surplus (SHU, PADes) and paying the shares; a BUMDes's
business units. Reading follows the book's visibility, recording its posting rights."""

from django.urls import path

from .distributions import (
    distribution,
    distribution_plan,
    distribution_share,
    distribution_sign,
    distributions,
)
from .payment import pades_pay, surplus_pay
from .structure import capital, group_savings
from .units import units

urlpatterns = [
    path("books/<int:book_id>/capital/", capital, name="capital"),
    path("books/<int:book_id>/member-ksm/", group_savings, name="group_savings"),
    path("books/<int:book_id>/distributions/", distributions, name="distributions"),
    path(
        "books/<int:book_id>/distributions/<int:year>/plan/",
        distribution_plan,
        name="distribution_plan",
    ),
    path("books/<int:book_id>/distributions/<int:pk>/", distribution, name="distribution"),
    path(
        "books/<int:book_id>/distributions/<int:pk>/ksm/<int:group_id>/",
        distribution_share,
        name="distribution_share",
    ),
    path(
        "books/<int:book_id>/distributions/<int:pk>/sign/",
        distribution_sign,
        name="distribution_sign",
    ),
    path("books/<int:book_id>/shu/pay/", surplus_pay, name="surplus_pay"),
    path("books/<int:book_id>/pades/pay/", pades_pay, name="pades_pay"),
    path("books/<int:book_id>/units/", units, name="units"),
]
