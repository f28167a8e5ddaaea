"""Forms of the booking flow. They validate input only; booking itself is in services.py."""

from django import forms
from phonenumber_field.formfields import PhoneNumberField

NOTIFY_CHOICES = [("email", "E-mail"), ("sms", "SMS text message"), ("both", "Both e-mail and SMS")]


class PatientDetailsForm(forms.Form):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    email = forms.EmailField(help_text="We send your confirmation and the link to change your booking here.")
    phone = PhoneNumberField(
        help_text="Include the country code if it is not an Indian number, e.g. +44 20 7946 0321."
    )
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
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

    def __init__(self, *args, region: str = "IN", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = region
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "phone": "tel",
            "date_of_birth": "bday",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value

    @property
    def channels(self) -> dict[str, bool]:
        """The choice as the booking service takes it: notify_email and notify_sms (at least one is true)."""
        notify_by = self.cleaned_data.get("notify_by") or "email"
        return {"notify_email": notify_by in ("email", "both"), "notify_sms": notify_by in ("sms", "both")}


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=250,
        required=False,
        label="Reason (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
