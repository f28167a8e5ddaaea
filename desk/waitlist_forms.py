"""Forms of the desk's waiting list: a wish for a caller, and a free time offered by hand. Input only."""

from django import forms

from booking.models import Service, Therapist
from booking.waitlist_forms import WishForm
from clinic.core import parsing


class DeskWishForm(WishForm):
    """Where, what and with whom, then the same choices as a patient's own wish."""

    location = forms.ModelChoiceField(queryset=None, empty_label=None, to_field_name="slug", label="Clinic")
    service = forms.ModelChoiceField(queryset=None, to_field_name="slug", empty_label="Choose a service")
    therapist = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any therapist")

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["service"].queryset = Service.objects.active().order_by("name")
        self.fields["therapist"].queryset = Therapist.objects.active().filter(locations__in=locations).distinct()
        self.order_fields(["location", "service", "therapist"])
        self.fields["notify_by"].label = "Tell the patient about a time by"
        self.fields["notify_by"].help_text = "Texts go to the mobile number on their record."


class OfferTimeForm(forms.Form):
    """One of the free times listed: "<therapist id>|<start>"."""

    slot = forms.CharField(error_messages={"required": "Choose a time to offer."})

    def clean_slot(self):
        therapist, _, start = self.cleaned_data["slot"].partition("|")
        therapist_id, start_at = parsing.whole_number(therapist), parsing.start_time(start)
        if therapist_id is None or start_at is None:
            raise forms.ValidationError("Choose one of the times listed.")
        return therapist_id, start_at
