"""Template context every page needs: the clinic's locations for the footer, what a signed-in member of staff needs
in the header (the admin link for clinic admins, the idle-timeout warning's timings), and for a shareable public
page the anonymous visitor's view of the header (see clinic.core.pagecache)."""

from django.conf import settings
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from .access import is_clinic_admin
from .selectors import active_locations


def clinic(request):
    context = {
        "clinic_locations": SimpleLazyObject(active_locations),
        "is_clinic_admin": SimpleLazyObject(lambda: is_clinic_admin(request.user)),
        "session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
        "login_cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    if getattr(request, "is_public_page", False):
        # No session or messages cookie came with the request, so the visitor is anonymous and has no messages:
        # said here without reading the session, which would add `Vary: Cookie` and make the page unshareable.
        anonymous = AnonymousUser()
        context |= {"user": anonymous, "perms": PermWrapper(anonymous), "messages": (), "is_clinic_admin": False}
    return context
