"""Template context every page needs: the clinic's locations for the footer."""

from django.utils.functional import SimpleLazyObject

from .selectors import active_locations


def clinic(request):
    return {"clinic_locations": SimpleLazyObject(active_locations)}
