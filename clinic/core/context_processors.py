"""Template context every page needs: the clinic's locations for the footer, and what a signed-in member of staff
needs in the header (the admin link for clinic admins, the idle-timeout warning's timings)."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .access import is_clinic_admin
from .selectors import active_locations


def clinic(request):
    return {
        "clinic_locations": SimpleLazyObject(active_locations),
        "is_clinic_admin": SimpleLazyObject(lambda: is_clinic_admin(request.user)),
        "session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
        "login_cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
