"""Signing in (docs/access.md, "Signing in"): two-factor login with real TOTP codes, recovery codes, sessions that
end, lockout that holds across addresses and user names, password reset throttling, and the audit trail."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pyotp
import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core.models import AuditEvent, StaffSession
from tests.factories import LocationFactory, UserFactory, clinic_admin_user, front_desk_user, therapist_user
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def location(db):
    """The desk needs a location to show."""
    return LocationFactory()


PASSWORD = "correct-horse-battery"
NOW = datetime(2025, 6, 13, 6, 0, tzinfo=UTC)


def sign_in(client, user, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": user.username, "password": password}, **extra)


def code_for(device: TOTPDevice, at: datetime | None = None) -> str:
    """What the person's authenticator app shows: computed by pyotp, independently of django-otp."""
    totp = pyotp.TOTP(_base32(device), digits=device.digits, interval=device.step)
    return totp.at(at or datetime.now(tz=UTC))


def _base32(device):
    import base64

    return base64.b32encode(device.bin_key).decode()


# --- Two-factor login ---------------------------------------------------------------------------------------------


def test_it_enrols_a_therapist_on_first_sign_in_with_a_real_code_and_recovery_codes(client):
    user = therapist_user()

    response = sign_in(client, user)
    assert response.status_code == 302
    # Signed in with the password only: every page leads to enrolment.
    response = client.get("/intake/review/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    # The QR code is a whole SVG document: without its namespace an <img> shows only the alt text.
    qr = re.search(r'<img src="data:image/svg\+xml;charset=utf-8,([^"]+)"', page.content.decode())
    assert qr
    assert unquote(qr.group(1)).startswith("<svg xmlns='http://www.w3.org/2000/svg'")
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    response = client.post("/accounts/two-factor/setup/?next=/intake/review/", {"code": code_for(device)})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(set(codes)) == len(codes) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/intake/review/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_enrolled", object_id=str(user.pk)).count() == 1


def test_it_asks_an_enrolled_user_for_a_code_and_accepts_the_current_one(client):
    user = clinic_admin_user()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    sign_in(client, user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"

    response = client.post("/accounts/two-factor/?next=/admin/", {"code": code_for(device)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_it_explains_a_wrong_code_and_keeps_the_user_out(client):
    user = therapist_user()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user)
    wrong = code_for(device, datetime.now(tz=UTC) - timedelta(minutes=10))

    response = client.post("/accounts/two-factor/", {"code": wrong})

    assert response.status_code == 400
    page = response.content.decode()
    assert "That code did not work" in page
    assert "<title>Error: Two-factor login" in page
    assert client.get("/desk/").status_code == 302
    assert AuditEvent.objects.filter(action="two_factor_failed", object_id=str(user.pk)).count() == 1


def test_it_slows_down_guessing_codes(client):
    user = therapist_user()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user)
    with time_machine.travel(datetime.now(tz=UTC), tick=False):  # no time passes between the two tries
        client.post("/accounts/two-factor/", {"code": "000000" if code_for(device) != "000000" else "111111"})

        # Right after a wrong code even the right one waits (django-otp's throttling).
        response = client.post("/accounts/two-factor/", {"code": code_for(device)})

    assert response.status_code == 400
    assert "wait a few seconds" in response.content.decode()
    assert client.get("/desk/").status_code == 302


def test_a_recovery_code_works_once(client):
    user = therapist_user()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    from clinic.core.account_services import recovery_codes_renew

    code = recovery_codes_renew(user=user)[0]
    sign_in(client, user)

    with time_machine.travel(datetime.now(tz=UTC), tick=False) as traveller:
        assert client.post("/accounts/two-factor/", {"code": code.upper().replace("-", " ")}).status_code == 302
        assert client.get("/desk/").status_code == 200

        traveller.shift(timedelta(seconds=2))  # past the app's throttle (the code was tried against it first)
        other = Client()
        sign_in(other, user)
        response = other.post("/accounts/two-factor/", {"code": code})

    assert response.status_code == 400
    assert "That code did not work" in response.content.decode()


def test_a_stolen_password_cannot_enrol_a_second_device(client):
    user = therapist_user()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user)

    response = client.get("/accounts/two-factor/setup/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/?")
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_the_front_desk_may_skip_two_factor_unless_the_setting_requires_it(client):
    user = front_desk_user()
    sign_in(client, user)
    assert client.get("/desk/").status_code == 200

    with override_settings(TWO_FACTOR_REQUIRED_FOR_FRONT_DESK=True):
        response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/")


@override_settings(DEBUG=True)
def test_demo_accounts_skip_two_factor_only_under_debug(client):
    user = therapist_user(username="therapist")
    sign_in(client, user)
    assert client.get("/desk/").status_code == 200

    with override_settings(DEBUG=False):
        assert client.get("/desk/").status_code == 302


# --- Sessions -----------------------------------------------------------------------------------------------------


def test_it_signs_out_after_30_idle_minutes_but_not_before(client):
    user = front_desk_user()
    with time_machine.travel(NOW, tick=False) as traveller:
        staff_login(client, user)
        traveller.move_to(NOW + timedelta(minutes=29))
        assert client.get("/desk/").status_code == 200  # activity: the 30 minutes start again
        traveller.move_to(NOW + timedelta(minutes=58))
        assert client.get("/desk/").status_code == 200

        traveller.move_to(NOW + timedelta(minutes=88, seconds=1))
        response = client.get("/desk/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fdesk%2F"
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="session_expired", object_id=str(user.pk)).count() == 1


def test_the_warning_can_ask_how_long_is_left_without_extending_it_and_stay_signed_in_does(client):
    user = front_desk_user()
    with time_machine.travel(NOW, tick=False) as traveller:
        staff_login(client, user)
        traveller.move_to(NOW + timedelta(minutes=28))
        assert client.get("/accounts/session/").json() == {"seconds_left": 120}
        assert client.get("/accounts/session/").json() == {"seconds_left": 120}

        assert client.post("/accounts/session/").json() == {"seconds_left": 1800}
        traveller.move_to(NOW + timedelta(minutes=50))
        assert client.get("/desk/").status_code == 200


def test_activity_does_not_extend_a_session_past_12_hours(client):
    user = front_desk_user()
    with time_machine.travel(NOW, tick=False) as traveller:
        staff_login(client, user)
        for minutes in range(20, 12 * 60, 20):
            traveller.move_to(NOW + timedelta(minutes=minutes))
            assert client.get("/desk/").status_code == 200, minutes
        traveller.move_to(NOW + timedelta(hours=12, seconds=1))
        response = client.get("/desk/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signing_out_ends_every_session_of_the_account():
    user = front_desk_user()
    desk_pc, phone, colleague = Client(), Client(), Client()
    staff_login(desk_pc, user)
    staff_login(phone, user)
    staff_login(colleague, front_desk_user())

    phone.post("/accounts/logout/")

    assert desk_pc.get("/desk/").status_code == 302
    assert colleague.get("/desk/").status_code == 200
    assert not StaffSession.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="logout", object_id=str(user.pk)).count() == 1


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one():
    user = front_desk_user()
    here, elsewhere = Client(), Client()
    staff_login(here, user)
    staff_login(elsewhere, user)

    response = here.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "lantern-orchard-quietly",
            "new_password2": "lantern-orchard-quietly",
        },
    )

    assert response.status_code == 302
    assert here.get("/desk/").status_code == 200
    assert elsewhere.get("/desk/").status_code == 302


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("sam.staff.clinic", "too similar"),
    ],
)
def test_it_refuses_weak_passwords(client, password, why):
    user = front_desk_user(username="sam.staff")
    staff_login(client, user)

    response = client.post(
        "/accounts/password_change/", {"old_password": PASSWORD, "new_password1": password, "new_password2": password}
    )

    assert response.status_code == 200
    assert why in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- Lockout ------------------------------------------------------------------------------------------------------


def test_it_locks_a_user_name_whatever_the_address_and_opens_again_after_the_cool_off(client):
    user = front_desk_user()
    with time_machine.travel(NOW, tick=False) as traveller:
        for n in range(5):
            sign_in(client, user, "wrong", REMOTE_ADDR=f"203.0.113.{n}")

        response = sign_in(client, user, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 429
        assert "Login paused for 15 minutes" in response.content.decode()
        # Each attempt while locked is recorded too: the fifth failure locks, the sixth try meets the lock.
        locked = AuditEvent.objects.filter(action="login_lockout")
        assert {(event.object_id, event.detail["username"]) for event in locked} == {(str(user.pk), user.username)}

        traveller.move_to(NOW + timedelta(minutes=16))
        assert sign_in(Client(), user, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_it_slows_an_address_that_fails_across_many_user_names(client):
    users = [front_desk_user() for _ in range(3)]
    with override_settings(LOGIN_FAILURES_PER_ADDRESS_RATE="6/h"):
        for n in range(6):
            sign_in(client, users[n % 3], "wrong", REMOTE_ADDR="203.0.113.50")

        response = sign_in(client, users[0], REMOTE_ADDR="203.0.113.50")
        assert response.status_code == 429
        # Another address is not held back, and no single user name was locked.
        assert sign_in(Client(), users[0], REMOTE_ADDR="198.51.100.1").status_code == 302


def test_failed_sign_ins_stay_in_the_audit_log_after_a_success(client):
    user = front_desk_user()
    for _ in range(2):
        sign_in(client, user, "wrong", REMOTE_ADDR="203.0.113.9")
    sign_in(client, UserFactory.build(username="nobody-here"), "wrong", REMOTE_ADDR="203.0.113.9")

    assert sign_in(client, user, REMOTE_ADDR="203.0.113.9").status_code == 302

    failed = AuditEvent.objects.filter(action="login_failed")
    assert failed.filter(object_id=str(user.pk), ip_address="203.0.113.9").count() == 2
    assert failed.get(object_id="").detail == {"username": "nobody-here"}
    assert AuditEvent.objects.filter(action="login", actor=user).count() == 1


# --- Password reset -----------------------------------------------------------------------------------------------


def test_the_login_page_links_to_a_reset_page_in_the_products_layout(client):
    login_page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in login_page

    page = client.get("/accounts/password_reset/").content.decode()

    assert "Reset your password" in page
    assert "Skip to main content" in page  # our base layout, not the admin's
    assert "Django administration" not in page


def test_it_gives_the_same_answer_whether_or_not_the_address_has_an_account(client):
    front_desk_user(email="desk@clinic.example")

    known = client.post("/accounts/password_reset/", {"email": "desk@clinic.example"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@clinic.example"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_it_throttles_resets_per_account_silently_and_per_address_visibly(client):
    front_desk_user(email="desk@clinic.example")
    for n in range(5):
        response = client.post(
            "/accounts/password_reset/", {"email": "desk@clinic.example"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response.status_code == 302
    assert len(mail.outbox) == 3  # PASSWORD_RESET_ACCOUNT_RATE: 3/h, then the same answer and nothing sent

    for _ in range(10):
        client.post("/accounts/password_reset/", {"email": "other@clinic.example"}, REMOTE_ADDR="10.9.9.9")
    assert (
        client.post("/accounts/password_reset/", {"email": "x@clinic.example"}, REMOTE_ADDR="10.9.9.9").status_code
        == 429
    )


def test_a_reset_link_sets_a_new_password_and_ends_every_session(client):
    user = front_desk_user(email="desk@clinic.example")
    signed_in = Client()
    staff_login(signed_in, user)
    client.post("/accounts/password_reset/", {"email": "desk@clinic.example"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form_page = client.get(f"/{path}", follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "lantern-orchard-quietly", "new_password2": "lantern-orchard-quietly"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("lantern-orchard-quietly")
    assert signed_in.get("/desk/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client):
    from clinic.core.account_services import recovery_codes_renew

    user = therapist_user()
    old = recovery_codes_renew(user=user)
    staff_login(client, user)
    assert "Make new recovery codes" in client.get("/accounts/password_change/").content.decode()

    response = client.post("/accounts/two-factor/recovery-codes/", {"next": "/desk/"})

    new = response.context["codes"]
    assert len(new) == 10
    assert not set(new) & set(old)
    other = Client()
    sign_in(other, user)
    with time_machine.travel(datetime.now(tz=UTC), tick=False) as traveller:
        assert other.post("/accounts/two-factor/", {"code": old[0]}).status_code == 400
        traveller.shift(timedelta(seconds=2))  # past the throttle after a wrong code
        assert other.post("/accounts/two-factor/", {"code": new[0]}).status_code == 302
