from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.forms import CrispyMixin, DateInput, limit_village_field
from groups.models import Member

from .models import FollowUpStatus, Topic, TrainingEvent
from .services.trainings import EVENT_FIELDS
from .uploads import MAX_BYTES, material_check


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


class TrainingEventForm(CrispyMixin, forms.ModelForm):
    topics = _topic_field(label=_("Topics"))

    class Meta:
        model = TrainingEvent
        fields = ["title", "topics", *[name for name in EVENT_FIELDS if name != "title"]]
        widgets = {
            "start_date": AnyDateInput(),
            "end_date": AnyDateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit_village_field(self, villages)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("A training cannot end before it starts."))
        return cleaned

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("topics")
        return data


class InviteForm(CrispyMixin, forms.Form):
    groups = forms.ModelMultipleChoiceField(
        label=_("KSM to invite"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = groups
        self.fields["groups"].label_from_instance = lambda g: f"{g.name} · {g.village.name}"


class MaterialForm(CrispyMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PowerPoint, JPG or PNG, at most %(mb)d MB.")
        % {"mb": MAX_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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


class VisitForm(CrispyMixin, forms.Form):
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

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit_date"].initial = timezone.localdate()
        if group is not None:
            self.fields["attendees"].queryset = Member.objects.filter(
                memberships__group=group, memberships__left_date__isnull=True
            ).order_by("full_name", "pk")


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


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=2, max_num=10)


class FollowUpAddForm(CrispyMixin, forms.Form):
    """One more follow-up action for a recorded visit: every field is needed."""

    description = forms.CharField(label=_("What"), max_length=250)
    responsible = forms.CharField(label=_("Who"), max_length=120)
    due_date = forms.DateField(label=_("Due date"), widget=AnyDateInput())


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
