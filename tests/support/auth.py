"""Signing staff in for tests: a password login that has also passed the second factor (docs/access.md).

`client.force_login` alone leaves therapists and clinic admins owing a code, and every page then sends them to the
two-factor page; tests that are not about signing in use `staff_login`.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core.models import AuditEvent


def staff_login(client, user):
    """Log `user` in on the test client as if they had typed their password and a valid code. Returns the device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Test authenticator", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    # Signing in is not what these tests are about: its audit event is left out so they count only their own.
    AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.LOGIN).delete()
    return device
