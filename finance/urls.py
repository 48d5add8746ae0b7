from .views import books, entries, periods, reports

app_name = "finance"

urlpatterns = [
    *books.urlpatterns,
    *entries.urlpatterns,
    *reports.urlpatterns,
    *periods.urlpatterns,
]
