"""The site's URL map (docs/design.md, "Pages and addresses")."""

from django.conf import settings
from django.conf.urls.static import static
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


def media_patterns() -> list:
    """Uploaded photos for local runs: Django's static() serves MEDIA_ROOT (no path outside it) when DEBUG is on and
    gives no pattern otherwise; production serves /media/ from the web server in front (README, "Settings")."""
    return static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


urlpatterns += media_patterns()
