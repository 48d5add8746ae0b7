from django.urls import path

from .views import agenda, grading, trainings, visits

app_name = "training"

urlpatterns = [
    path("agenda/", agenda.agenda, name="agenda"),
    # Trainings
    path("trainings/", trainings.event_list, name="event_list"),
    path("trainings/new/", trainings.event_create, name="event_create"),
    path("trainings/coverage/", trainings.coverage, name="coverage"),
    path("trainings/<int:pk>/", trainings.event_detail, name="event_detail"),
    path("trainings/<int:pk>/edit/", trainings.event_update, name="event_update"),
    path("trainings/<int:pk>/invite/", trainings.event_invite, name="event_invite"),
    path(
        "trainings/<int:pk>/attendance/<int:group_pk>/",
        trainings.event_attendance,
        name="event_attendance",
    ),
    path("trainings/<int:pk>/materials/", trainings.material_add, name="material_add"),
    path("materials/<int:pk>/download/", trainings.material_download, name="material_download"),
    # Mentoring visits
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/actions/new/", visits.followup_add, name="followup_add"),
    path("ksm/<int:pk>/visits/", visits.group_visits, name="group_visits"),
    path("ksm/<int:pk>/visits/new/", visits.visit_create, name="visit_create"),
    path("follow-ups/<int:pk>/close/", visits.followup_close, name="followup_close"),
    # Grading
    path("grading/", grading.grading_overview, name="grading"),
    path("ksm/<int:pk>/assessments/", grading.group_assessments, name="group_assessments"),
    path("ksm/<int:pk>/assessments/new/", grading.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/", grading.assessment_detail, name="assessment_detail"),
]
