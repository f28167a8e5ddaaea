"""Forms of the booking flow. They validate input only; booking itself is in services.py."""

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from clinic.core.forms import BoundedDateField, EmailAddressField
from intake.models import validate_date_of_birth
from intake.services import PatientDetails

from .models import Appointment


class DateInput(forms.DateInput):
    """The browser's date picker, given and read as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


NOTIFY_CHOICES = [("email", "E-mail"), ("sms", "SMS text message"), ("both", "Both e-mail and SMS")]


class PatientDetailsForm(forms.Form):
    """A patient's name, contact details and date of birth: the one form of them, for the booking flow and the desk.
    The phone number is read in the region of the location (a local number needs no country code)."""

    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    email = EmailAddressField(label="E-mail address")
    phone = PhoneNumberField(help_text="With the country code if it is not a local number.")
    date_of_birth = BoundedDateField(widget=DateInput, label="Date of birth", validators=[validate_date_of_birth])

    AUTOCOMPLETE = {
        "first_name": "given-name",
        "last_name": "family-name",
        "email": "email",
        "phone": "tel",
        "date_of_birth": "bday",
    }

    def __init__(self, *args, region: str = "IN", phone_example: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = region
        if phone_example:  # the clinic's own country's: a US example tells a patient in India nothing
            self.fields[
                "phone"
            ].help_text = (
                f"For example {phone_example}. A number from another country needs its country code, such as +44."
            )
        for name, value in self.AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = value

    @property
    def patient_details(self) -> PatientDetails:
        """Who the booking is for, as the booking service takes it."""
        return PatientDetails(**{name: self.cleaned_data[name] for name in PatientDetailsForm.base_fields})


class BookingDetailsForm(PatientDetailsForm):
    """The patient's details at the end of the booking flow, with how they want to hear from us."""

    notify_by = forms.ChoiceField(
        label="Send my confirmation and reminders by",
        choices=NOTIFY_CHOICES,
        initial="email",
        # Not required: a form posted without the choice (an older page, a script) gets the default, e-mail.
        required=False,
        widget=forms.RadioSelect,
        help_text="Texts go to the phone number above.",
    )
    # A one-time token rendered into the form: a second submit of the same form books nothing new.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "We send your confirmation and the link to change your booking here."

    @property
    def channels(self) -> dict[str, bool]:
        """The choice as the booking service takes it: notify_email and notify_sms (at least one is true)."""
        notify_by = self.cleaned_data.get("notify_by") or "email"
        return {"notify_email": notify_by in ("email", "both"), "notify_sms": notify_by in ("sms", "both")}


class CancelForm(forms.Form):
    """Cancelling an appointment: by the patient through their link (a reason if they like to give one), or by
    staff (a reason kept on the appointment, and the status they saw, so a stale page is noticed)."""

    seen_status = forms.ChoiceField(choices=Appointment.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=250,
        required=False,
        label="Reason (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, by_staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if by_staff:
            reason = self.fields["reason"]
            reason.required = True
            reason.label = "Reason for cancelling"
            reason.help_text = "Kept on the appointment; the patient is not sent this text."
        else:  # the patient's link carries its own version instead
            del self.fields["seen_status"]
