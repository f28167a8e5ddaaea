"""Forms and form fields of the core: the staff sign-in pages' code form, and fields shared by the apps' forms."""

import re

from django import forms

from . import parsing

_CODE = re.compile(r"^(\d{6}|[0-9a-f]{6}-?[0-9a-f]{6})$")


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator app, or a recovery code (spaces ignored)."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).lower()
        if not _CODE.match(code):
            raise forms.ValidationError("Type the 6 digits your app shows (or a recovery code such as 1a2b3c-4d5e6f).")
        if len(code) == 12:  # a recovery code typed without its hyphen
            code = f"{code[:6]}-{code[6:]}"
        return code


class BoundedDateField(forms.DateField):
    """A date between 1900 and 2199: 9999-12-31 parses as a date and then overflows the first time a day is added."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "out_of_range",
            f"Enter a date between {parsing.EARLIEST_DATE:%-d %B %Y} and {parsing.LATEST_DATE:%-d %B %Y}.",
        )
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not parsing.EARLIEST_DATE <= value <= parsing.LATEST_DATE:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")


class EmailAddressField(forms.EmailField):
    """An e-mail address, with the message every page words alike (the site spells it "e-mail")."""

    default_error_messages = {"invalid": "Enter an e-mail address such as name@example.com."}
