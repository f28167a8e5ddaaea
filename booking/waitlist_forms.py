"""Forms of the waiting list: what a wish asks for (parts of the day, weekdays, dates, how to tell the patient),
with the patient's details when the booking flow does not know them yet. They validate input only."""

from django import forms

from clinic.core.forms import BoundedDateField

from .forms import BookingDetailsForm, DateInput, PatientDetailsForm
from .models import DAY_PARTS, WEEKDAY_NAMES
from .waitlist import Wanted

PART_CHOICES = [(str(bit), name) for bit, name, _, _ in DAY_PARTS]
WEEKDAY_CHOICES = [(str(1 << n), name) for n, name in enumerate(WEEKDAY_NAMES)]


class WishForm(forms.Form):
    parts_of_day = forms.MultipleChoiceField(
        label="Parts of the day that suit you",
        choices=PART_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Morning is before noon, afternoon until 5 pm, evening after, by the clinic's clock.",
        error_messages={"required": "Choose at least one part of the day."},
    )
    weekdays = forms.MultipleChoiceField(
        label="Days of the week that suit you",
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day of the week."},
    )
    first_day = BoundedDateField(label="From", widget=DateInput)
    last_day = BoundedDateField(label="Until", widget=DateInput)
    # The booking form's choice of channels (e-mail when none is posted), and how it reads as the service takes it.
    notify_by = BookingDetailsForm.base_fields["notify_by"]
    channels = BookingDetailsForm.channels

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notify_by"].label = "Tell me about a time by"
        self.fields["notify_by"].help_text = "Texts go to your mobile number."

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day is before the first day.")
        return cleaned

    def mask(self, name: str) -> int:
        return sum({int(value) for value in self.cleaned_data[name]})

    def wanted(self, *, location, service, therapist) -> Wanted:
        """The wish as the waiting list's service takes it, where and for what it was asked."""
        return Wanted(
            location=location,
            service=service,
            therapist=therapist,
            parts_of_day=self.mask("parts_of_day"),
            weekdays=self.mask("weekdays"),
            first_day=self.cleaned_data["first_day"],
            last_day=self.cleaned_data["last_day"],
        )


class WishWithDetailsForm(PatientDetailsForm, WishForm):
    """A wish from someone the booking flow does not know yet (a service without needles, no screening)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*PatientDetailsForm.base_fields, *WishForm.base_fields])


class OfferAnswerForm(forms.Form):
    """The patient's answer to an offer: book it, or let it go to the next person."""

    answer = forms.ChoiceField(choices=[("claim", "Book this time"), ("decline", "No, thank you")])
