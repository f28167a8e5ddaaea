"""URLs of the booking flow (/book/)."""

from django.urls import path

from . import api, views, waitlist_views

app_name = "booking"

urlpatterns = [
    path("", views.start, name="start"),
    path("confirm/", views.confirm, name="confirm"),
    path("api/slots/", api.slots, name="api_slots"),
    path("therapists/", views.therapists, name="therapists"),
    path("therapists/<int:pk>/", views.therapist, name="therapist"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/calendar.ics", views.manage_ics, name="manage_ics"),
    path("manage/<str:token>/reschedule/", views.manage_reschedule, name="manage_reschedule"),
    path("manage/<str:token>/cancel/", views.manage_cancel, name="manage_cancel"),
    # The waiting list (booking/waitlist_views.py).
    path("waitlist/", waitlist_views.join, name="waitlist_join"),
    path("waitlist/joined/", waitlist_views.joined, name="waitlist_joined"),
    path("waitlist/offer/<str:token>/", waitlist_views.offer, name="waitlist_offer"),
]
