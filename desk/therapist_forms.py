"""Forms of the therapist's pages of the desk (desk/therapist_views.py)."""

from django import forms

from booking.forms import DateInput
from clinic.core.forms import BoundedDateField


class MyDayForm(forms.Form):
    """Whose day and which day (GET): the choice of therapist only for those who may open others' days."""

    therapist = forms.ChoiceField(label="Therapist")
    date = BoundedDateField(widget=DateInput, label="Day")

    def __init__(self, *args, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        # From the list the view already has: the page's queries stay fixed.
        self.fields["therapist"].choices = [(therapist.pk, therapist.display_name) for therapist in therapists]
        if len(therapists) < 2:
            self.fields["therapist"].widget = forms.HiddenInput()
