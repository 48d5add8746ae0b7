from .views import (
    books,
    capital,
    entries,
    health,
    loans,
    meetings,
    members,
    periods,
    reports,
    savings,
)

app_name = "finance"

urlpatterns = [
    *books.urlpatterns,
    *entries.urlpatterns,
    *reports.urlpatterns,
    *periods.urlpatterns,
    *loans.urlpatterns,
    *meetings.urlpatterns,
    *capital.urlpatterns,
    *health.urlpatterns,
    *savings.urlpatterns,
    *members.urlpatterns,
]
