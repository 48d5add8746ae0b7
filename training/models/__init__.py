"""Training, mentoring visits and group grading: the facilitator's working tool.

- Topics are a managed list; the *core* ones are those every KSM's chair and treasurer should
  have attended (the coverage report and the grading's "officers trained" criterion).
- A TrainingEvent is held in a village for the KSM it invites; Attendance records each member
  who came with their role in their group at that time, and optional pre/post-test scores.
- A Visit (pendampingan) is a facilitator's mentoring visit to one KSM; its FollowUpActions are
  the work that must follow (open, done or dropped).
- Grading: the rubric (areas, criteria) and the levels with their score thresholds are data,
  editable in admin. An Assessment scores one KSM on every criterion (some filled in from the
  data, the rest by the facilitator) and, once confirmed, gives its level. The group's latest
  confirmed assessment is marked `is_current` and remembers the level before it, so the
  distribution of levels and the movement between assessments are indexed counts.
"""

# In the order the models were defined (the app registry keeps that order).
# isort: off
from .topics import (  # noqa: F401
    Topic,
)
from .events import (  # noqa: F401
    SCORE_MAX,
    TrainingEventQuerySet,
    TrainingEvent,
    Invitation,
    material_upload_to,
    Material,
    CurrentAttendanceManager,
    Attendance,
)
from .visits import (  # noqa: F401
    VisitQuerySet,
    Visit,
    FollowUpStatus,
    FollowUpActionQuerySet,
    FollowUpAction,
)
from .grading import (  # noqa: F401
    Level,
    Area,
    CriterionSource,
    BOOLEAN_SOURCES,
    LOWER_IS_BETTER,
    parse_thresholds,
    Criterion,
    AssessmentStatus,
    AssessmentQuerySet,
    Assessment,
    Answer,
)
# isort: on
