"""Cache invalidation for the location list shown in every page's footer."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Location
from .selectors import LOCATIONS_CACHE_KEY


@receiver([post_save, post_delete], sender=Location, dispatch_uid="core.location_cache")
def _forget_locations(**kwargs):
    cache.delete(LOCATIONS_CACHE_KEY)
