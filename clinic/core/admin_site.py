"""The Django admin as the clinic admins' tool only (docs/access.md, "The admin").

Front desk and therapists work in /desk/ and the review pages; at /admin/ they get 403. Signing in to the admin
is the product's own login, with its second factor, rather than the admin's password-only form.
"""

from functools import update_wrapper
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from .access import is_clinic_admin, must_verify


class ClinicAdminSite(AdminSite):
    site_header = "Clinic administration"
    site_title = "Clinic admin"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and is_clinic_admin(user) and not must_verify(user))

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return wrapped(request, *args, **kwargs)

        return update_wrapper(inner, view)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied
        wanted = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': wanted})}")


class ClinicAdminConfig(AdminConfig):
    default_site = "clinic.core.admin_site.ClinicAdminSite"
