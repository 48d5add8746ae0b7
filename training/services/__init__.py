"""Every write of the training app, one transaction each (see the modules)."""

from .grading import assessment_confirm, assessment_save, assessment_start
from .trainings import (
    AttendanceRow,
    attendance_record,
    attendance_set_for_group,
    material_add,
    training_create,
    training_invite,
    training_update,
)
from .visits import followup_add, followup_close, visit_record

__all__ = [
    "AttendanceRow",
    "assessment_confirm",
    "assessment_save",
    "assessment_start",
    "attendance_record",
    "attendance_set_for_group",
    "followup_add",
    "followup_close",
    "material_add",
    "training_create",
    "training_invite",
    "training_update",
    "visit_record",
]
