"""factory_boy factories of the intake: patients and intakes with each outcome."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from intake import rules
from intake.consent import CONSENT_VERSION
from intake.models import Intake, Patient
from tests.factories import LocationFactory


def healthy_answers(**changes) -> dict:
    """Answers of a healthy adult who is fine with needles, changed by `changes`."""
    answers = {q.name: q.choices[0][0] for q in rules.QUESTIONS}
    answers.update(
        needle_fear="fine", age=40, areas=["calf_shin"], area_side="left", what_brings_you="Tight calf after running"
    )
    answers.update(changes)
    return answers


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = "Asha"
    last_name = factory.Sequence(lambda n: f"Patient{n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = "+91 98765 43210"
    date_of_birth = date(1985, 3, 27)


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    patient = factory.SubFactory(PatientFactory)
    location = factory.SubFactory(LocationFactory)
    answers = factory.LazyFunction(healthy_answers)
    rule_set_version = rules.VERSION
    results = factory.LazyAttribute(lambda o: rules.judge(o.answers, service_uses_estim=False).results)
    outcome = Intake.Outcome.CLEARED
    review_status = Intake.ReviewStatus.NOT_NEEDED
    consent_version = CONSENT_VERSION
    consent_name = factory.LazyAttribute(lambda o: o.patient.full_name)
    consented_at = factory.LazyFunction(timezone.now)
    consent_ip = "203.0.113.5"
    submitted_at = factory.LazyFunction(timezone.now)
    valid_until = factory.LazyAttribute(lambda o: o.submitted_at + timedelta(days=183))

    class Params:
        needs_review = factory.Trait(
            answers=factory.LazyFunction(
                lambda: healthy_answers(
                    diabetes="yes", diabetes_control="well", diabetes_numbness="no", diabetes_ulcers="no"
                )
            ),
            outcome=Intake.Outcome.NEEDS_REVIEW,
            review_status=Intake.ReviewStatus.PENDING,
        )
        not_suitable = factory.Trait(
            answers=factory.LazyFunction(lambda: healthy_answers(acute_illness="yes")),
            outcome=Intake.Outcome.NOT_SUITABLE,
        )
