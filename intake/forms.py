"""Forms of the questionnaire's steps and of the review decision. The health step is built from the rule set."""

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from phonenumber_field.phonenumber import to_python

from clinic.core.forms import EmailAddressField
from clinic.core.models import Location

from . import catalogue, rules
from .consent import CONSENT_VERSION
from .models import GuardianRelationship, Intake, validate_date_of_birth

NOT_SURE = ""


def _normalise_name(value: str) -> str:
    return " ".join(value.split()).casefold()


class AccessibleFormMixin:
    """Ties each input to its help text and error message (aria-describedby, aria-invalid), and lists errors for
    the summary at the top of the page, each linking to its field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe()

    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")

    def _describe(self):
        self._style()
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if self._errors is not None and name in self._errors:  # never trigger validation from here
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                field.widget.attrs.pop("aria-describedby", None)
        # Bound fields copy label and help text when first made; forms change them after __init__, so start afresh.
        self._bound_fields_cache.clear()

    def full_clean(self):
        super().full_clean()
        self._describe()

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for every error, in the order of the fields."""
        items = [("#error-summary", str(e)) for e in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                anchor = bound.auto_id
                if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    anchor = f"{anchor}_0"
                for error in self.errors[name]:
                    items.append((f"#{anchor}", f"{_plain_label(bound.label)}: {error}"))
        return items


def _plain_label(label: str) -> str:
    label = re.sub(r"^If [^:]*: ", "", label).rstrip("?.:")  # "…you take.: Please…" read as a stray artefact
    return label[:1].upper() + label[1:]


class AboutYouForm(AccessibleFormMixin, forms.Form):
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        label="Which clinic would you like to visit?",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the clinic you would like to visit."},
    )
    first_name = forms.CharField(
        max_length=80, label="First name", widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=80, label="Last name", widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = EmailAddressField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send your booking details here. We never send health details by e-mail.",
    )
    phone = forms.CharField(
        max_length=40,
        label="Phone number",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
        help_text="A local number is fine; add the country code if your phone is from another country.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        help_text="Day, month and year, for example 27 March 1985.",
        error_messages={"invalid": "Enter your date of birth as a date, for example 1985-03-27."},
        validators=[validate_date_of_birth],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.active().order_by("name")

    def clean(self):
        cleaned = super().clean()
        raw, location = cleaned.get("phone"), cleaned.get("location")
        if raw:
            # Read in the chosen clinic's region (a local number needs no country code), as the booking form does.
            number = to_python(raw, region=location.country if location else None)
            if not number.is_valid():
                where = f" for {location.name}" if location else ""
                self.add_error(
                    "phone",
                    f"Enter a phone number we can call{where}, for example {location.phone.as_national}"
                    if location
                    else "Enter a phone number with its country code, for example +91 80 4567 8900.",
                )
            else:
                cleaned["phone"] = number.as_e164
        return cleaned


class WhereForm(AccessibleFormMixin, forms.Form):
    areas = forms.MultipleChoiceField(
        choices=rules.AREAS,
        label="Where does it hurt? Choose all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one area, or “Somewhere else”."},
    )
    side = forms.ChoiceField(
        choices=rules.SIDES,
        label="On which side of your body?",
        widget=forms.RadioSelect,
        help_text="If you chose areas on different sides, choose “Both sides”.",
        error_messages={"required": "Choose the side of your body you would like treated."},
    )
    what_brings_you = forms.CharField(
        max_length=1000,
        label="What brings you to us?",
        help_text="In a sentence or two: what the problem is and how long you have had it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell us briefly what brings you to us."},
    )
    service = forms.ChoiceField(
        label="Which service are you interested in?",
        widget=forms.RadioSelect,
        required=False,
        help_text="Not sure? That is fine: your therapist will suggest what suits you.",
    )

    def __init__(self, *args, location=None, **kwargs):
        super().__init__(*args, **kwargs)
        options = catalogue.services_for(location)
        self.fields["service"].choices = [(o.slug, o.name) for o in options] + [(NOT_SURE, "Not sure yet")]
        self.fields["service"].initial = self.fields["service"].initial or NOT_SURE


_KIND_FIELDS = {
    "text": lambda f: forms.CharField(max_length=300),
    "long_text": lambda f: forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2})),
    "choice": lambda f: forms.ChoiceField(choices=f.choices, widget=forms.RadioSelect),
    "multi": lambda f: forms.MultipleChoiceField(choices=f.choices, widget=forms.CheckboxSelectMultiple),
    "yesno": lambda f: forms.ChoiceField(choices=rules.YES_NO, widget=forms.RadioSelect),
    "number": lambda f: forms.IntegerField(
        min_value=f.min_value, max_value=f.max_value, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    ),
    "decimal": lambda f: forms.DecimalField(
        min_value=f.min_value,
        max_value=f.max_value,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    ),
    "date": lambda f: forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")),
}


class HealthForm(AccessibleFormMixin, forms.Form):
    """One radio group per question of the rule set, each followed by its follow-ups ("If yes: ...").

    Follow-ups are always in the page (JavaScript only hides irrelevant ones), are optional for the browser, and
    are required here on the server when their question's answer makes them relevant."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in rules.QUESTIONS:
            self.fields[question.name] = forms.ChoiceField(
                label=question.label,
                choices=question.choices,
                widget=forms.RadioSelect,
                help_text=question.help,
                error_messages={"required": "Please choose an answer."},
            )
            for follow_up in question.follow_ups:
                field = _KIND_FIELDS[follow_up.kind](follow_up)
                field.label = follow_up.label
                field.help_text = follow_up.help
                field.required = False
                self.fields[follow_up.name] = field
        self._describe()

    # Every date asked in the health step is of something that has happened (such as an INR test).
    OLDEST_DATE = timedelta(days=366 * 10)

    def questions(self):
        """(question bound field, follow-up bound fields, answers that reveal them) for the template."""
        return [
            (self[q.name], [self[f.name] for f in q.follow_ups], " ".join(q.reveal_on), q.name)
            for q in rules.QUESTIONS
        ]

    def clean(self):
        cleaned = super().clean()
        self._check_dates(cleaned)
        relevant = rules.relevant_follow_ups(cleaned)
        for question in rules.QUESTIONS:
            for follow_up in question.follow_ups:
                if follow_up.name in relevant:
                    if follow_up.required and cleaned.get(follow_up.name) in (None, "", []):
                        self.add_error(
                            follow_up.name, f"Please answer this too, as you answered {question.reveal_label} above."
                        )
                elif follow_up.name not in self.errors:
                    # Answers to follow-ups that do not apply are neither judged nor kept.
                    cleaned.pop(follow_up.name, None)
                else:
                    del self.errors[follow_up.name]
                    cleaned.pop(follow_up.name, None)
        return cleaned

    def _check_dates(self, cleaned):
        today = timezone.localdate()
        for question in rules.QUESTIONS:
            for follow_up in question.follow_ups:
                value = cleaned.get(follow_up.name)
                if follow_up.kind != "date" or not isinstance(value, date):
                    continue
                if value > today:
                    self.add_error(follow_up.name, "This date is in the future. Please check the day and year.")
                elif value < today - self.OLDEST_DATE:
                    self.add_error(follow_up.name, "This date is more than 10 years ago. Please check the year.")

    def answers(self) -> dict:
        """The cleaned answers as JSON-friendly values, follow-ups only where relevant."""
        result = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", []):
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif not isinstance(value, str | list | int):
                value = str(value)  # Decimal
            result[name] = value
        return result


class ConsentForm(AccessibleFormMixin, forms.Form):
    full_name = forms.CharField(
        max_length=160,
        label="Type your full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Type your full name to give your consent."},
    )
    agree = forms.BooleanField(
        label="I have read this information and I consent to dry needling",
        error_messages={"required": "Tick the box to give your consent. Without consent we cannot book needling."},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, patient_name: str = "", is_minor: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient_name = patient_name
        self.is_minor = is_minor
        self.consent_version = CONSENT_VERSION
        if is_minor:
            self.fields["guardian_name"] = forms.CharField(
                max_length=160,
                label="Parent or guardian's full name",
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                help_text="As the patient is under 18, a parent or guardian gives consent.",
                error_messages={"required": "Enter the full name of the parent or guardian giving consent."},
            )
            self.fields["guardian_relationship"] = forms.ChoiceField(
                choices=GuardianRelationship.choices,
                label="How are you related to the patient?",
                widget=forms.RadioSelect,
                error_messages={"required": "Choose how you are related to the patient."},
            )
            self.fields["full_name"].label = "Parent or guardian: type your full name to consent"
            self.fields["agree"].label = (
                "I am the patient's parent or guardian, I have read this information and I consent to dry needling "
                "for them"
            )
            self.order_fields(["guardian_name", "guardian_relationship", "full_name", "agree"])
        else:
            self.fields["full_name"].help_text = "The same name you gave on the first step."
        self._describe()

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("full_name", "")
        if not typed:
            return cleaned
        expected = cleaned.get("guardian_name", "") if self.is_minor else self.patient_name
        if expected and _normalise_name(typed) != _normalise_name(expected):
            if self.is_minor:
                self.add_error("full_name", "Type the same name as the parent or guardian above.")
            else:
                self.add_error("full_name", f"Type your full name as you gave it on the first step: {expected}.")
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Intake.ReviewStatus.APPROVED, "Approve"),
            (Intake.ReviewStatus.DECLINED, "Decline"),
            (Intake.ReviewStatus.INFO_REQUESTED, "Ask for more information"),
        ]
    )
    seen_status = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    precautions = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Intake.ReviewStatus.DECLINED and not cleaned.get("note", "").strip():
            self.add_error("note", "Please give a reason for declining.")
        return cleaned


class ReturningForm(AccessibleFormMixin, forms.Form):
    email = EmailAddressField(
        label="Your e-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="The address you gave when you answered.",
    )
