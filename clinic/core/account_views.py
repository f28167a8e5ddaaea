"""Staff sign-in pages: login, two-factor codes and enrolment, password reset and change, session keep-alive.

Pages use the product's layout (templates/registration/). Policy lives in access.py and account_services.py;
these views only check input and call them (docs/access.md, "Signing in").
"""

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import get_usage, is_ratelimited

from . import account_services
from .access import must_verify, needs_second_factor
from .forms import CodeForm
from .middleware import mark_seen, session_seconds_left
from .models import AuditEvent
from .signals import LOGIN_FAILURES_GROUP
from .views import rate_limited


def _to(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


def _next(request, default: str = "/desk/start/") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


class LoginView(auth_views.LoginView):
    """Password step. An address that has failed too often (across any user names) is refused for a while."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Failures are counted by signals.py; here only read. Once an address has used up its failures it is
        # refused until the window passes. With the cache down the count is unknown (limit 0) and the per-user
        # lockout, kept in the database, still holds.
        usage = get_usage(request, group=LOGIN_FAILURES_GROUP, key="ip", rate=settings.LOGIN_FAILURES_PER_ADDRESS_RATE)
        if usage is not None and usage["limit"] and usage["count"] >= usage["limit"]:
            return rate_limited(request, None)
        return super().post(request, *args, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Second step: a code from the authenticator app, or one of the recovery codes."""
    if not user_has_device(request.user):
        return redirect(_to("two_factor_setup", request))
    if not must_verify(request.user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    app = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if request.method == "POST" and form.is_valid() and not _throttled(form, app):
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            if device.persistent_id.startswith("otp_static"):
                left = device.token_set.count()
                messages.warning(
                    request, f"You used a recovery code; {left} left. Make new ones on your Account page."
                )
            return redirect(_next(request))
        account_services.audit_account_event(
            action=AuditEvent.Action.TWO_FACTOR_FAILED, user=request.user, actor=request.user, request=request
        )
        form.add_error(
            "code",
            "That code did not work. Type the 6-digit code your authenticator app shows now (it changes every "
            "30 seconds), or one of your recovery codes. After several wrong codes you must wait a little longer "
            "before each try.",
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}, status=status
    )


def _throttled(form, device) -> bool:
    """After wrong codes django-otp makes each next try wait longer (1, 2, 4... seconds); say so plainly."""
    allowed, _ = device.verify_is_allowed() if device is not None else (True, None)
    if not allowed:
        form.add_error(
            "code", "Several wrong codes in a row: wait a few seconds, then type the code your app shows now."
        )
    return not allowed


def _qr_data_uri(url: str) -> str:
    # A whole SVG document (with its namespace): an image source, unlike inline markup, shows nothing without it.
    return segno.make(url, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrolment (on the first sign-in that needs it): scan the code, type what the app shows, keep the recovery
    codes. Only possible while the account has no device, so a stolen password cannot enrol a new one."""
    if user_has_device(request.user):
        return redirect(_to("two_factor_verify", request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _throttled(form, device):
        if device.verify_token(form.cleaned_data["code"]):
            codes = account_services.two_factor_enrol(user=request.user, device=device, request=request)
            otp_login(request, device)
            request.session.cycle_key()
            context = {"codes": codes, "next": _next(request), "enrolled": True}
            return render(request, "registration/recovery_codes.html", context)
        form.add_error(
            "code",
            "That code did not match. Check that the app added the account “" + settings.TWO_FACTOR_ISSUER + "”, "
            "then type the 6-digit code it shows now.",
        )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "next": _next(request),
        "qr": _qr_data_uri(device.config_url),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": needs_second_factor(request.user),
    }
    return render(request, "registration/two_factor_setup.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def recovery_codes_renew(request):
    """New recovery codes (the old ones stop working), for someone signed in with their second factor."""
    if not request.user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('desk:home')}")
    codes = account_services.recovery_codes_renew(user=request.user)
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def session_status(request):
    """GET: seconds left before the idle timeout (not counted as activity). POST: "stay signed in"."""
    if request.method == "POST":
        mark_seen(request)
    return JsonResponse({"seconds_left": session_seconds_left(request)})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password ends every other session of the account (this one stays signed in)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        account_services.sessions_end_all(user=self.request.user, keep=self.request.session.session_key)
        account_services.audit_account_event(
            action=AuditEvent.Action.PASSWORD_CHANGED,
            user=self.request.user,
            actor=self.request.user,
            request=self.request,
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Rate-limited per address (429) and per account (the same 'check your e-mail' page, nothing sent), so the
    answer never tells whether an address has an account."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        if is_ratelimited(
            request,
            group="password_reset.address",
            key="ip",
            rate=settings.PASSWORD_RESET_ADDRESS_RATE,
            increment=True,
        ):
            return rate_limited(request, None)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if is_ratelimited(
            self.request,
            group="password_reset.account",
            key=lambda group, request: email,
            rate=settings.PASSWORD_RESET_ACCOUNT_RATE,
            increment=True,
        ):
            return redirect(self.get_success_url())
        return super().form_valid(form)
