"""The desk's form for a course of treatment: how often and how many more sessions (booking/courses.py checks the
same caps; docs/design.md, "Courses of treatment")."""

from django import forms

from booking.courses import MAX_EVERY_DAYS, MAX_SESSIONS
from clinic.core import parsing

UNITS = [("weeks", "weeks"), ("days", "days")]


class CourseForm(forms.Form):
    """Numbers are typed in ASCII digits only: a form field that took any Unicode digit ("٣") would book what the
    person did not see."""

    every = forms.CharField(label="Every", widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    unit = forms.ChoiceField(label="Weeks or days", choices=UNITS)
    sessions = forms.CharField(
        label="More sessions",
        help_text=f"After this one, 1 to {MAX_SESSIONS}.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean_every(self) -> int:
        number = parsing.whole_number(self.cleaned_data["every"], low=1, high=MAX_EVERY_DAYS)
        if number is None:
            raise forms.ValidationError(f"Type a whole number from 1 to {MAX_EVERY_DAYS} in digits 0–9.")
        return number

    def clean_sessions(self) -> int:
        number = parsing.whole_number(self.cleaned_data["sessions"], low=1, high=MAX_SESSIONS)
        if number is None:
            raise forms.ValidationError(
                f"Type a whole number from 1 to {MAX_SESSIONS} in digits 0–9: longer courses are booked again later."
            )
        return number

    def clean(self):
        data = super().clean()
        if "every" in data and "unit" in data:
            data["every_days"] = data["every"] * (7 if data["unit"] == "weeks" else 1)
            if data["every_days"] > MAX_EVERY_DAYS:
                self.add_error("every", f"Sessions of a course are at most {MAX_EVERY_DAYS // 7} weeks apart.")
        return data

    def picks(self, params) -> dict[int, object]:
        """The time picked for each session that was not free (`pick_<n>`, a start time as links carry it); what is
        not a valid time is left out, so the session is judged at its regular time and listed again."""
        found = {}
        for number in range(1, MAX_SESSIONS + 1):
            start = parsing.start_time(params.get(f"pick_{number}", ""))
            if start is not None:
                found[number] = start
        return found
