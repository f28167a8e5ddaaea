"""URLs of the staff workspace (/desk/)."""

from django.urls import path

from . import views

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
    path("messages/<int:pk>/resend/", views.resend, name="resend"),
    path("patients/", views.patients, name="patients"),
    path("patients/<int:pk>/", views.patient, name="patient"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
    path("book/", views.book, name="book"),
    path("book/details/", views.book_details, name="book_details"),
    path("book/confirm/", views.book_confirm, name="book_confirm"),
    path("hours/", views.hours, name="hours"),
    path("hours/add/", views.hours_add, name="hours_add"),
    path("hours/<int:pk>/", views.hours_edit, name="hours_edit"),
    path("hours/<int:pk>/delete/", views.hours_delete, name="hours_delete"),
    path("time-off/add/", views.time_off_add, name="time_off_add"),
    path("time-off/<int:pk>/", views.time_off, name="time_off"),
    path("time-off/<int:pk>/edit/", views.time_off_edit, name="time_off_edit"),
    path("time-off/<int:pk>/delete/", views.time_off_delete, name="time_off_delete"),
]
