"""Who can open every intake URL: anonymous, a patient holding their link or session, front desk, therapist,
clinic admin. One table, so a new URL without a row stands out."""

import pytest
from django.urls import get_resolver

from intake import services
from tests.factories import clinic_admin_user, front_desk_user, therapist_user
from tests.intake.factories import IntakeFactory
from tests.support.auth import staff_login

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "patient", "front_desk", "therapist", "clinic_admin"]

# url name -> expected status per role (GET). 302* = redirect to the login page.
MATRIX = {
    # /intake/ starts the questionnaire and redirects to its first step's own page, which anyone may open.
    "start": {"anonymous": 302, "patient": 302, "front_desk": 302, "therapist": 302, "clinic_admin": 302},
    # A step's page without a questionnaire started in this session goes back to the start.
    "step": {"anonymous": 302, "patient": 302, "front_desk": 302, "therapist": 302, "clinic_admin": 302},
    # Without an intake of their own, staff are sent to the questionnaire like anyone else.
    "outcome": {"anonymous": 302, "patient": 200, "front_desk": 302, "therapist": 302, "clinic_admin": 302},
    "returning": {"anonymous": 200, "patient": 200, "front_desk": 200, "therapist": 200, "clinic_admin": 200},
    "returning_sent": {"anonymous": 200, "patient": 200, "front_desk": 200, "therapist": 200, "clinic_admin": 200},
    "returning_confirm": {"anonymous": 200, "patient": 200, "front_desk": 200, "therapist": 200, "clinic_admin": 200},
    # The desk's screening link opens the questionnaire for anyone holding it (filled in with the patient's details).
    "screening_link": {"anonymous": 302, "patient": 302, "front_desk": 302, "therapist": 302, "clinic_admin": 302},
    "review_queue": {"anonymous": "302*", "patient": "302*", "front_desk": 200, "therapist": 200, "clinic_admin": 200},
    "review_detail": {
        "anonymous": "302*",
        "patient": "302*",
        "front_desk": 200,
        "therapist": 200,
        "clinic_admin": 200,
    },
    # Decisions are POST only: GET is refused for everyone who gets past the login.
    "review_decide": {
        "anonymous": "302*",
        "patient": "302*",
        "front_desk": 405,
        "therapist": 405,
        "clinic_admin": 405,
    },
}


def test_it_has_a_row_for_every_intake_url():
    names = {
        p.name
        for p in get_resolver().url_patterns
        if getattr(p, "namespace", None) == "intake"
        for p in p.url_patterns
    }
    assert names == set(MATRIX)


def _login(client, role, intake):
    if role == "patient":
        session = client.session
        session["intake_id"] = intake.pk
        session.save()
    elif role != "anonymous":
        staff_login(
            client,
            {"front_desk": front_desk_user, "therapist": therapist_user, "clinic_admin": clinic_admin_user}[role](),
        )


def _url(name, intake):
    return {
        "start": "/intake/",
        "step": "/intake/step/about/",
        "outcome": "/intake/result/",
        "returning": "/intake/returning/",
        "returning_sent": "/intake/returning/sent/",
        "returning_confirm": f"/intake/returning/{services.returning_link_token(intake)}/",
        "screening_link": f"/intake/screening/{services.screening_link_token(intake.patient)}/",
        "review_queue": "/intake/review/",
        "review_detail": f"/intake/review/{intake.pk}/",
        "review_decide": f"/intake/review/{intake.pk}/decide/",
    }[name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_it_gives_each_role_the_right_access(client, name, role):
    intake = IntakeFactory(needs_review=True)
    _login(client, role, intake)

    response = client.get(_url(name, intake))

    expected = MATRIX[name][role]
    if expected == "302*":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ["anonymous", "patient", "front_desk"])
def test_it_lets_only_reviewers_post_decisions(client, role):
    intake = IntakeFactory(needs_review=True)
    _login(client, role, intake)

    response = client.post(f"/intake/review/{intake.pk}/decide/", {"decision": "approved", "seen_status": "pending"})

    assert response.status_code in (302, 403)
    intake.refresh_from_db()
    assert intake.review_status == "pending"
