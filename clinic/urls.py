"""The site's URL map (docs/design.md, "Pages and addresses")."""

from django.contrib import admin
from django.urls import include, path

from clinic.core import views as core_views

urlpatterns = [
    path("", include("education.urls")),
    path("intake/", include("intake.urls")),
    path("book/", include("booking.urls")),
    path("desk/", include("desk.urls")),
    path("accounts/", include("clinic.core.account_urls")),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("ping", core_views.ping, name="ping"),
]
