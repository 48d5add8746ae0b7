import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Member, Membership
from ksm_portal.forms import CrispyMixin, DateInput
from ksm_portal.once import REFUSED_HERE, OneTimeTokenForm, token_issue, token_read
from ksm_portal.scope import user_scope
from villages.forms import SELECT_LIMIT, limit_village_field
from villages.models import FacilitatorAssignment

from .models import FollowUpStatus, Topic, TrainingEvent
from .services.trainings import EVENT_FIELDS
from .uploads import MAX_BYTES, material_check

# One-time tokens (ksm_portal/once.py) of the forms that create something here.
EVENT_SALT = "training.event"
MATERIAL_SALT = "training.material"
VISIT_SALT = "training.visit"
FOLLOWUP_SALT = "training.followup"


class AnyDateInput(forms.DateInput):
    """A date picker without the 'not after today' limit: trainings are planned ahead and
    actions fall due later."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _topic_field(**kwargs) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Topic.objects.filter(is_active=True).order_by("sort_order", "name"),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class TrainingEventForm(OneTimeTokenForm, CrispyMixin, forms.ModelForm):
    topics = _topic_field(label=_("Topics"))

    class Meta:
        model = TrainingEvent
        fields = ["title", "topics", *[name for name in EVENT_FIELDS if name != "title"]]
        widgets = {
            "start_date": AnyDateInput(),
            "end_date": AnyDateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, villages=None, user=None, token=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit_village_field(self, villages)
        self.user = user
        if self.instance.pk is None:  # a new training: made once however often it is sent
            owner = getattr(user, "pk", None)
            self.init_token(
                lambda: token_issue(EVENT_SALT, user=owner),
                lambda signed: token_read(EVENT_SALT, signed, refused=REFUSED_HERE, user=owner),
                token,
            )
        if user is not None and user_scope(user).manages_register:
            self._add_organiser_field()

    def _add_organiser_field(self) -> None:
        """Staff choose the organising facilitator (one assigned to a village today, or the
        training's present organiser); facilitators always organise their own trainings.
        The service checks the choice is a facilitator of the training's village."""
        current = self.instance.organiser_id if self.instance.pk else None
        candidates = Q(Exists(FacilitatorAssignment.objects.current().filter(user=OuterRef("pk"))))
        if current:
            candidates |= Q(pk=current)
        users = (
            get_user_model()
            .objects.filter(candidates, is_active=True)
            .order_by("first_name", "last_name", "username", "pk")
        )
        field = forms.ModelChoiceField(
            label=_("Organising facilitator"),
            queryset=users,
            required=False,
            help_text=_(
                "A facilitator of the training's village. Leave empty to organise it yourself."
            ),
        )
        field.label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.username})" if u.get_full_name() else u.username
        )
        if current:
            self.initial.setdefault("organiser", current)
        if users[: SELECT_LIMIT + 1].count() > SELECT_LIMIT:
            # Too many to list: the facilitator's user name, as the village is given by code.
            field.to_field_name = "username"
            field.widget = forms.TextInput()
            field.help_text = _(
                "The user name of a facilitator of the training's village. Leave empty to "
                "organise it yourself."
            )
            if current:
                self.initial["organiser"] = self.instance.organiser.username
        self.fields["organiser"] = field
        order = list(self.fields)
        order.remove("organiser")
        order.insert(order.index("village") + 1, "organiser")
        self.order_fields(order)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("A training cannot end before it starts."))
        return cleaned

    def service_fields(self) -> dict:
        """The service's keyword arguments; for staff, `organiser` (themselves when left
        empty)."""
        data = dict(self.cleaned_data)
        data.pop("topics")
        if "organiser" in self.fields:
            data["organiser"] = data.get("organiser") or self.user
        return data


class InviteForm(CrispyMixin, forms.Form):
    groups = forms.ModelMultipleChoiceField(
        label=_("KSM to invite"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = groups
        self.fields["groups"].label_from_instance = lambda g: f"{g.name} · {g.village.name}"


class MaterialForm(OneTimeTokenForm, CrispyMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PowerPoint, JPG or PNG, at most %(mb)d MB.")
        % {"mb": MAX_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        subject = {"event": getattr(event, "pk", None)}
        self.init_token(
            lambda: token_issue(MATERIAL_SALT, **subject),
            lambda signed: token_read(MATERIAL_SALT, signed, refused=REFUSED_HERE, **subject),
        )
        self.fields["file"].widget.attrs["accept"] = (
            ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.jpg,.jpeg,.png"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            material_check(upload)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["file"]) from None
        return upload


class AttendanceForm(forms.Form):
    """One line per member of the KSM during the training: attended, pre- and post-test."""

    def __init__(self, *args, memberships=(), existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = existing or {}
        self.lines = []
        for membership in memberships:
            member_id = membership.member_id
            record = existing.get(member_id)
            attended = forms.BooleanField(
                label=membership.member.full_name, required=False, initial=record is not None
            )
            scores = {}
            for name, label in (("pre", _("Pre-test")), ("post", _("Post-test"))):
                scores[name] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=100,
                    initial=getattr(record, f"{name}_score", None) if record else None,
                    widget=forms.NumberInput(
                        attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}
                    ),
                )
            self.fields[f"attended_{member_id}"] = attended
            self.fields[f"pre_{member_id}"] = scores["pre"]
            self.fields[f"post_{member_id}"] = scores["post"]
            self.lines.append((membership, member_id))

    def rows(self):
        """For the template: (membership, attended, pre, post) bound fields."""
        return [
            (
                membership,
                self[f"attended_{member_id}"],
                self[f"pre_{member_id}"],
                self[f"post_{member_id}"],
            )
            for membership, member_id in self.lines
        ]

    def clean(self):
        cleaned = super().clean()
        for membership, member_id in self.lines:
            if not cleaned.get(f"attended_{member_id}"):
                for name in ("pre", "post"):
                    if cleaned.get(f"{name}_{member_id}") is not None:
                        self.add_error(
                            f"{name}_{member_id}",
                            _("%(name)s is not ticked as present; a score needs attendance.")
                            % {"name": membership.member.full_name},
                        )
        return cleaned

    def attendance_rows(self):
        from .services import AttendanceRow

        return [
            AttendanceRow(
                member_id=member_id,
                pre_score=self.cleaned_data.get(f"pre_{member_id}"),
                post_score=self.cleaned_data.get(f"post_{member_id}"),
            )
            for _membership, member_id in self.lines
            if self.cleaned_data.get(f"attended_{member_id}")
        ]


ATTENDEES_LOOK_BACK_DAYS = 365


def visit_attendee_choices(group, today):
    """Who may be ticked as present at a visit to the group: its current members and those
    who left within the last 12 months, so a back-dated visit can name someone who has left
    since. The service checks each was a member on the visit date itself."""
    memberships = Membership.objects.filter(group=group, member=OuterRef("pk"))
    since = today - datetime.timedelta(days=ATTENDEES_LOOK_BACK_DAYS)
    return (
        Member.objects.filter(
            Exists(memberships.filter(Q(left_date__isnull=True) | Q(left_date__gte=since)))
        )
        .annotate(
            still_member=Exists(memberships.filter(left_date__isnull=True)),
            left_on=Subquery(
                memberships.filter(left_date__isnull=False)
                .order_by("-left_date")
                .values("left_date")[:1]
            ),
        )
        .order_by("full_name", "pk")
    )


def _attendee_label(member) -> str:
    if getattr(member, "still_member", True) or not getattr(member, "left_on", None):
        return member.full_name
    return _("%(name)s (left %(date)s)") % {
        "name": member.full_name,
        "date": member.left_on.strftime("%d-%m-%Y"),
    }


class VisitForm(OneTimeTokenForm, CrispyMixin, forms.Form):
    visit_date = forms.DateField(label=_("Visit date"), widget=DateInput())
    attendees = forms.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_attendees = forms.CharField(
        label=_("Others present"),
        max_length=200,
        required=False,
        help_text=_("E.g. the village head or a BUMDes manager."),
    )
    topics = _topic_field(label=_("Topics discussed"), required=False)
    discussion = forms.CharField(
        label=_("What was discussed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, group=None, token=None, **kwargs):
        super().__init__(*args, **kwargs)
        subject = {"group": getattr(group, "pk", None)}
        self.init_token(
            lambda: token_issue(VISIT_SALT, **subject),
            lambda signed: token_read(VISIT_SALT, signed, refused=REFUSED_HERE, **subject),
            token,
        )
        today = timezone.localdate()
        self.fields["visit_date"].initial = today
        if group is not None:
            field = self.fields["attendees"]
            field.queryset = visit_attendee_choices(group, today)
            field.label_from_instance = _attendee_label
            field.help_text = _(
                "Members who left in the last 12 months are listed too: tick them only if they "
                "were still members on the day of the visit."
            )


class FollowUpForm(CrispyMixin, forms.Form):
    """A follow-up action; a line left empty is ignored."""

    description = forms.CharField(label=_("What"), max_length=250, required=False)
    responsible = forms.CharField(label=_("Who"), max_length=120, required=False)
    due_date = forms.DateField(label=_("Due date"), widget=AnyDateInput(), required=False)

    def clean(self):
        cleaned = super().clean()
        filled = [name for name in ("description", "responsible", "due_date") if cleaned.get(name)]
        if filled and len(filled) < 3:
            for name in ("description", "responsible", "due_date"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed for a follow-up action."))
        cleaned["is_empty"] = not filled and not self.errors
        return cleaned


FOLLOW_UP_MAX = 10
FollowUpFormSet = forms.formset_factory(
    FollowUpForm,
    extra=2,
    max_num=FOLLOW_UP_MAX,
    absolute_max=FOLLOW_UP_MAX,
    validate_max=True,
)


class FollowUpAddForm(OneTimeTokenForm, CrispyMixin, forms.Form):
    """One more follow-up action for a recorded visit: every field is needed."""

    description = forms.CharField(label=_("What"), max_length=250)
    responsible = forms.CharField(label=_("Who"), max_length=120)
    due_date = forms.DateField(label=_("Due date"), widget=AnyDateInput())

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        subject = {"visit": getattr(visit, "pk", None)}
        self.init_token(
            lambda: token_issue(FOLLOWUP_SALT, **subject),
            lambda signed: token_read(FOLLOWUP_SALT, signed, refused=REFUSED_HERE, **subject),
        )


class FollowUpCloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(FollowUpStatus.DONE, _("Done")), (FollowUpStatus.DROPPED, _("Dropped"))]
    )
    note = forms.CharField(max_length=250, required=False)


class AssessmentStartForm(CrispyMixin, forms.Form):
    assessment_date = forms.DateField(label=_("Assessment date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment_date"].initial = timezone.localdate()


class AssessmentForm(forms.Form):
    """The facilitator's scores for the criteria the data does not answer."""

    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, answers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        for answer in self.answers:
            if answer.is_auto:
                continue
            self.fields[f"answer_{answer.pk}"] = forms.TypedChoiceField(
                label=answer.criterion.text,
                choices=[(n, str(n)) for n in range(answer.max_score + 1)],
                coerce=int,
                empty_value=None,
                required=False,
                initial=answer.score,
                # Drawn as a row of buttons: a thumb-sized target for each score.
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )

    def lines(self):
        """(answer, bound field or None) in rubric order, for the template."""
        return [
            (answer, None if answer.is_auto else self[f"answer_{answer.pk}"])
            for answer in self.answers
        ]

    def scores(self) -> dict:
        return {
            answer.pk: self.cleaned_data.get(f"answer_{answer.pk}")
            for answer in self.answers
            if not answer.is_auto
        }
