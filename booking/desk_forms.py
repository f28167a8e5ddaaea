"""Forms of the front-desk workspace. They validate input only; writes are in services.py and desk_services.py."""

from datetime import UTC, datetime

from django import forms
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from clinic.core import parsing
from clinic.core.forms import BoundedDateField

from .models import Appointment, Therapist, WorkingHours

START_FORMAT = "%Y%m%dT%H%MZ"  # UTC, compact and URL-safe, as in the booking flow: 20250616T0330Z


def parse_start(value: str) -> datetime | None:
    """A start time as links and forms carry it, or None (also for a far date no diary can hold)."""
    return parsing.utc_instant(value, START_FORMAT)


def format_start(value: datetime) -> str:
    return value.astimezone(UTC).strftime(START_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


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


class CancelForm(StatusActionForm):
    reason = forms.CharField(
        max_length=250,
        label="Reason for cancelling",
        help_text="Kept on the appointment; the patient is not sent this text.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RescheduleForm(forms.Form):
    start = forms.CharField()

    def clean_start(self):
        start = parse_start(self.cleaned_data["start"])
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


class PatientForm(forms.Form):
    """The patient on the phone. An existing patient is found by e-mail and date of birth."""

    email = forms.EmailField(label="E-mail address")
    date_of_birth = BoundedDateField(widget=DateInput, label="Date of birth")
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    phone = PhoneNumberField(help_text="With the country code if it is not a local number.")
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, region: str = "IN", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = region
        for name in ("email", "first_name", "last_name", "phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"


class PatientContactForm(forms.Form):
    """A patient's name and contact details, corrected by the desk."""

    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    email = forms.EmailField(label="E-mail address")
    phone = PhoneNumberField(help_text="With the country code if it is not a local number.")
    date_of_birth = forms.DateField(widget=DateInput, label="Date of birth")

    def __init__(self, *args, region: str = "IN", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = region


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
        therapist, location = data.get("therapist"), data.get("location")
        if therapist and location and not therapist.locations.filter(pk=location.pk).exists():
            self.add_error("location", f"{therapist} does not work at {location}.")
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
