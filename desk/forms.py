"""Forms of the front-desk workspace. They validate input only; writes are booking's and intake's services."""

from datetime import UTC, datetime

from django import forms
from django.utils import timezone

from booking.forms import DateInput, PatientDetailsForm
from booking.models import Appointment, Therapist, WorkingHours
from clinic.core import parsing
from clinic.core.forms import BoundedDateField


class DayForm(forms.Form):
    """Which location's day to show (GET)."""

    location = forms.ChoiceField()
    date = BoundedDateField(widget=DateInput)

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        # From the list the view already has: the schedule's queries stay fixed.
        self.fields["location"].choices = [(location.slug, location.name) for location in locations]


class StatusActionForm(forms.Form):
    """Check in, finish, no show: the status the person saw, so a stale page is noticed."""

    seen_status = forms.ChoiceField(choices=Appointment.Status.choices, widget=forms.HiddenInput)


class FinishForm(StatusActionForm):
    """Finishing a session records the therapist's follow-up plan, which owes the patient a "book your next
    session" reminder shortly before it is due."""

    follow_up_weeks = forms.TypedChoiceField(
        label="Follow-up plan",
        choices=[
            ("", "No follow-up planned"),
            *[(str(w), f"In {w} week{'s' if w > 1 else ''}") for w in (1, 2, 3, 4, 6, 8, 12)],
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )


class MoveSearchForm(forms.Form):
    """Whose free times, and which day, the move page shows (GET)."""

    therapist = forms.ModelChoiceField(queryset=Therapist.objects.none(), required=False, empty_label="Any therapist")
    date = BoundedDateField(widget=DateInput, label="Day")

    def __init__(self, *args, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = therapists


class RescheduleForm(forms.Form):
    """A free time picked on the move page, and with whom (the same therapist when not given)."""

    start = forms.CharField()
    therapist = forms.ModelChoiceField(queryset=Therapist.objects.none(), required=False)

    def __init__(self, *args, therapists=None, **kwargs):
        super().__init__(*args, **kwargs)
        if therapists is not None:
            self.fields["therapist"].queryset = therapists

    def clean_start(self):
        start = parsing.start_time(self.cleaned_data["start"])
        if start is None:
            raise forms.ValidationError("Please choose a new time.")
        return start


class SlotSearchForm(forms.Form):
    """What to book, where and on which day (GET): the free times follow."""

    location = forms.ModelChoiceField(queryset=None, empty_label=None, to_field_name="slug")
    service = forms.ModelChoiceField(queryset=None, to_field_name="slug", empty_label="Choose a service")
    therapist = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any therapist", label="Therapist")
    date = BoundedDateField(widget=DateInput, label="Day")

    def __init__(self, *args, locations, services, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["service"].queryset = services
        self.fields["therapist"].queryset = therapists


class PatientForm(PatientDetailsForm):
    """The patient on the phone. An existing patient is found by e-mail and date of birth, so those come first."""

    field_order = ["email", "date_of_birth", "first_name", "last_name", "phone"]
    AUTOCOMPLETE = dict.fromkeys(("email", "first_name", "last_name", "phone"), "off")
    submission_key = forms.UUIDField(widget=forms.HiddenInput)


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["therapist", "location", "weekday", "start_time", "end_time"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {"start_time": "From (local time)", "end_time": "Until (local time)"}

    def __init__(self, *args, therapists, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = therapists
        self.fields["location"].queryset = locations
        self.fields["location"].empty_label = None

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end must be after the start.")
        return data


class TimeOffForm(forms.Form):
    """Time off in one location's wall-clock time (the zone is named on the page)."""

    therapist = forms.ModelChoiceField(queryset=Therapist.objects.none(), empty_label=None)
    start = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    end = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    reason = forms.CharField(max_length=200, required=False, help_text="Seen by staff only.")

    def __init__(self, *args, therapists, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["therapist"].queryset = therapists
        self.fields["start"].label = f"From ({zone.key} time)"
        self.fields["end"].label = f"Until ({zone.key} time)"

    def _in_zone(self, value: datetime) -> datetime:
        # The browser sends a wall-clock reading; it means the location's clock, not the server's.
        return timezone.make_aware(value.replace(tzinfo=None), self.zone).astimezone(UTC)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            data["start"], data["end"] = self._in_zone(data["start"]), self._in_zone(data["end"])
            if data["end"] <= data["start"]:
                self.add_error("end", "The end must be after the start.")
        return data


class ExportForm(forms.Form):
    """A location's appointments over some days, as CSV (GET)."""

    MAX_DAYS = 92

    location = forms.ChoiceField()
    first_day = BoundedDateField(widget=DateInput, label="From")
    last_day = BoundedDateField(widget=DateInput, label="To (included)")

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(location.slug, location.name) for location in locations]

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and not 0 <= (last - first).days < self.MAX_DAYS:
            raise forms.ValidationError(f"Choose a first day on or before the last, at most {self.MAX_DAYS} days.")
        return data


class ScreeningLinkForm(forms.Form):
    """How the screening link goes to the patient: e-mail, SMS or both."""

    channels = forms.MultipleChoiceField(
        label="Send by",
        choices=[("email", "E-mail"), ("sms", "SMS")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose e-mail, SMS or both."},
    )


class MergeForm(forms.Form):
    """The clinic admin's confirmation that two records are one person."""

    confirm = forms.BooleanField(
        label="I have checked that these two records are the same person",
        error_messages={"required": "Tick the box to confirm these are the same person. Nothing was merged."},
    )


class OverrideForm(forms.Form):
    """The desk's explicit override for a time outside the therapist's working hours, in their time off or in a
    closure, and why (booking's service refuses such a time without a reason, and audits the reason)."""

    outside_hours = forms.BooleanField(required=False, label="Outside working hours, time off or a closure")
    override_reason = forms.CharField(
        required=False, max_length=200, label="Reason", help_text="Required with the override; kept in the audit log."
    )

    def clean(self):
        data = super().clean()
        if data.get("outside_hours") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", "Say why this time is booked outside working hours.")
        return data

    @property
    def reason(self) -> str:
        return self.cleaned_data["override_reason"].strip() if self.cleaned_data.get("outside_hours") else ""


class OtherTimeForm(OverrideForm):
    """A time typed in rather than picked from the free times, in the location's wall-clock time."""

    field_order = ["therapist", "date", "time", "outside_hours", "override_reason"]
    therapist = forms.ModelChoiceField(queryset=Therapist.objects.none(), empty_label=None)
    date = BoundedDateField(widget=DateInput, label="Day")
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Time")

    def __init__(self, *args, therapists, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["therapist"].queryset = therapists
        self.fields["time"].label = f"Time ({zone.key})"

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            local = datetime.combine(data["date"], data["time"].replace(tzinfo=None))
            data["start"] = timezone.make_aware(local, self.zone).astimezone(UTC)
        return data
