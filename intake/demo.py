"""Demo data of intake: a few patients with screenings of each outcome, some waiting for review (DEBUG only).

Called by `seed_demo` with the core's locations and staff; idempotent (matched on each patient's e-mail)."""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from . import rules
from .consent import CONSENT_VERSION
from .models import Intake, Patient, intake_valid_days


def _answers(**changes) -> dict:
    answers = {q.name: q.choices[0][0] for q in rules.QUESTIONS}
    answers.update(
        needle_fear="fine", areas=["calf_shin"], area_side="left", what_brings_you="Tight calf after running"
    )
    answers.update(changes)
    return answers


# first name, last name, e-mail, phone, date of birth, days ago, answers
DEMO = [
    ("Asha", "Rao", "asha.rao@example.com", "+91 98765 43210", date(1988, 4, 2), 1, _answers()),
    (
        "Vikram",
        "Nair",
        "vikram.nair@example.com",
        "+91 98450 12345",
        date(1975, 9, 14),
        3,
        _answers(
            diabetes="yes",
            diabetes_control="well",
            diabetes_numbness="no",
            diabetes_ulcers="no",
            areas=["lower_back"],
            area_side="middle",
            what_brings_you="Lower back pain for two months",
        ),
    ),
    (
        "Emily",
        "Clarke",
        "emily.clarke@example.com",
        "+44 7700 900123",
        date(1992, 1, 20),
        2,
        _answers(
            antithrombotic="yes",
            antithrombotic_medicines=["doac"],
            antithrombotic_why="Atrial fibrillation",
            areas=["neck", "shoulder"],
            area_side="right",
            what_brings_you="Stiff neck and shoulder from desk work",
        ),
    ),
    (
        "Meena",
        "Pillai",
        "meena.pillai@example.com",
        "+91 98860 77889",
        date(1968, 3, 9),
        1,
        # Lymph nodes removed from the left armpit; the right shoulder is to be treated: a therapist checks first.
        _answers(
            lymphoedema="yes",
            lymph_part=["arm"],
            lymph_side="left",
            lymph_details="Nodes removed from the left armpit in 2019",
            medicines="yes",
            medicines_list="Letrozole 2.5 mg daily, turmeric capsules",
            medicines_bleeding=["turmeric"],
            areas=["shoulder"],
            area_side="right",
            what_brings_you="Right shoulder pain when reaching up",
        ),
    ),
    (
        "Rahul",
        "Mehta",
        "rahul.mehta@example.com",
        "+91 99000 11223",
        date(1983, 6, 5),
        0,
        _answers(needle_fear="nervous", areas=["knee"], what_brings_you="Knee pain when running"),
    ),
    (
        "Sara",
        "Khan",
        "sara.khan@example.com",
        "+91 90000 44556",
        date(1990, 12, 1),
        1,
        _answers(acute_illness="yes", areas=["hip_buttock"], what_brings_you="Hip pain"),
    ),
]


def seed(*, locations, staff) -> None:
    now = timezone.now()
    for index, (first, last, email, phone, born, days_ago, answers) in enumerate(DEMO):
        patient, _ = Patient.objects.get_or_create(
            email=email, date_of_birth=born, defaults={"first_name": first, "last_name": last, "phone": phone}
        )
        if patient.intakes.exists():
            continue
        location = locations[index % len(locations)] if locations else None
        submitted = now - timedelta(days=days_ago, hours=index)
        answers = {**answers, "age": rules.age_on(born, submitted.date()), "answered_on": submitted.date().isoformat()}
        judgement = rules.judge(answers, service_uses_estim=False)
        Intake.objects.create(
            submission_key=uuid.uuid4(),
            patient=patient,
            location=location,
            answers=answers,
            rule_set_version=judgement.version,
            results=judgement.results,
            outcome=judgement.outcome,
            review_status=Intake.ReviewStatus.PENDING
            if judgement.outcome == Intake.Outcome.NEEDS_REVIEW
            else Intake.ReviewStatus.NOT_NEEDED,
            consent_version=CONSENT_VERSION,
            consent_name=f"{first} {last}",
            consented_at=submitted,
            consent_ip="127.0.0.1",
            submitted_at=submitted,
            valid_until=submitted + timedelta(days=intake_valid_days()),
        )
