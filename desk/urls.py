"""URLs of the staff workspace (/desk/)."""

from django.urls import path

from . import booking_views, course_views, feeds, patient_views, therapist_views, views, waitlist_views

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("week/", views.week, name="week"),
    path("export/", views.export, name="export"),
    path("appointments/<int:pk>/", views.appointment, name="appointment"),
    path("appointments/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("appointments/<int:pk>/finish/", views.finish, name="finish"),
    path("appointments/<int:pk>/no-show/", views.no_show, name="no_show"),
    path("appointments/<int:pk>/undo/", views.undo, name="undo"),
    path("appointments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<int:pk>/move/", views.move, name="move"),
    path("appointments/<int:pk>/course/", course_views.course, name="course"),
    path("messages/<int:pk>/resend/", views.resend, name="resend"),
    path("patients/", views.patients, name="patients"),
    path("patients/<int:pk>/", views.patient, name="patient"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
    path("book/", views.book, name="book"),
    path("book/details/", views.book_details, name="book_details"),
    path("book/confirm/", views.book_confirm, name="book_confirm"),
    path("hours/", views.hours, name="hours"),
    path("hours/add/", views.hours_edit, name="hours_add"),
    path("hours/<int:pk>/", views.hours_edit, name="hours_edit"),
    path("hours/<int:pk>/delete/", views.hours_delete, name="hours_delete"),
    path("time-off/add/", views.time_off_edit, name="time_off_add"),
    path("time-off/<int:pk>/", views.time_off, name="time_off"),
    path("time-off/<int:pk>/edit/", views.time_off_edit, name="time_off_edit"),
    path("time-off/<int:pk>/delete/", views.time_off_delete, name="time_off_delete"),
    # The patient's screening link and merging duplicate records (desk/patient_views.py).
    path("patients/<int:pk>/screening-link/", patient_views.screening_link, name="screening_link"),
    path("book/screening-link/", patient_views.book_screening_link, name="book_screening_link"),
    path("patients/<int:pk>/merge/", patient_views.merge, name="patient_merge"),
    path("patients/<int:pk>/merge/<int:other>/", patient_views.merge_confirm, name="patient_merge_confirm"),
    # A time typed in at the desk (desk/booking_views.py).
    path("book/other-time/", booking_views.book_other_time, name="book_other_time"),
    # The therapist's pages (desk/therapist_views.py) and their calendar feed (desk/feeds.py).
    path("start/", therapist_views.start, name="start"),
    path("my-day/", therapist_views.my_day, name="my_day"),
    path("calendar/", therapist_views.calendar_link, name="calendar_link"),
    path("calendar/new-link/", therapist_views.calendar_link_reset, name="calendar_link_reset"),
    path("calendar/feed/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    # The waiting list (desk/waitlist_views.py).
    path("waitlist/", waitlist_views.waitlist_home, name="waitlist"),
    path("patients/<int:pk>/waitlist/", waitlist_views.waitlist_add, name="waitlist_add"),
    path("waitlist/<int:pk>/offer/", waitlist_views.waitlist_offer, name="waitlist_offer"),
    path("waitlist/<int:pk>/withdraw/", waitlist_views.waitlist_withdraw, name="waitlist_withdraw"),
]
