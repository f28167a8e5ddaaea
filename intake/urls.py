"""URLs of the screening questionnaire (/intake/) and the therapists' review queue (/intake/review/)."""

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.start, name="start"),
    path("step/<slug:step>/", views.start, name="step"),
    path("result/", views.outcome, name="outcome"),
    path("returning/", views.returning, name="returning"),
    path("returning/sent/", views.returning_sent, name="returning_sent"),
    path("returning/<str:token>/", views.returning_confirm, name="returning_confirm"),
    path("screening/<str:token>/", views.screening_link, name="screening_link"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/decide/", views.review_decide, name="review_decide"),
]
