"""Forms of the staff sign-in pages."""

import re

from django import forms

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
