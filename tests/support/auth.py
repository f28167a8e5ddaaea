"""Signing staff in for tests: a password login that has also passed the second factor (docs/access.md).

`client.force_login` alone leaves therapists and clinic admins owing a code, and every page then sends them to the
two-factor page; tests that are not about signing in use `staff_login`.
"""

from unittest import mock

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def staff_login(client, user):
    """Log `user` in on the test client as if they had typed their password and a valid code. Returns the device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Test authenticator", confirmed=True
    )
    # Signing in is not what these tests are about: its audit event is not written (the audit log is append-only,
    # so it could not be removed afterwards), and the tests count only their own events.
    with mock.patch("clinic.core.account_services.audit_account_event"):
        client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
