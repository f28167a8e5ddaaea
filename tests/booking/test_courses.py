"""Courses of treatment (booking/courses.py): a series planned from one appointment, checked as a whole and booked
all at once or not at all; its DST-proof local times, clashes with alternatives, races, query budgets, messages,
the screening that runs out mid-course and the patient cancelling the later sessions."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from booking import course_messages, courses, services
from booking.courses import CourseClash
from booking.models import Appointment, Course
from clinic.core.models import AuditEvent, OutboundMessage
from tests.booking.factories import (
    AppointmentFactory,
    ClosureFactory,
    IntakeFactory,
    PatientFactory,
    TimeOffFactory,
)
from tests.factories import front_desk_user
from tests.support.courses import NOW, TUESDAY_10, anchor_of
from tests.support.threads import race


def local(instant: datetime) -> datetime:
    return instant.astimezone(ZONE)


ZONE = ZoneInfo("Europe/London")


class TestRegularTimes:
    def test_it_keeps_the_local_time_across_the_spring_clock_change(self):
        times = courses.regular_times(TUESDAY_10, zone=ZONE, every_days=7, count=4)

        assert [local(t).strftime("%a %d %b %H:%M %Z") for t in times] == [
            "Tue 18 Mar 10:00 GMT", "Tue 25 Mar 10:00 GMT", "Tue 01 Apr 10:00 BST", "Tue 08 Apr 10:00 BST",
        ]  # fmt: skip
        assert times[2] - times[1] == timedelta(days=7, hours=-1)

    def test_it_steps_by_days_when_asked(self):
        times = courses.regular_times(TUESDAY_10, zone=ZONE, every_days=3, count=2)

        assert [local(t).date().isoformat() for t in times] == ["2025-03-14", "2025-03-17"]

    @pytest.mark.parametrize(("every_days", "count"), [(7, 0), (7, 13), (7, 10**9), (0, 4), (-7, 4), (57, 4)])
    def test_it_refuses_a_shape_outside_the_caps(self, every_days, count):
        with pytest.raises(services.BookingError):
            courses.check_numbers(every_days=every_days, count=count)


@pytest.mark.django_db
class TestBooking:
    def test_it_books_every_session_at_the_same_local_time_across_dst(self, london, london_now):
        anchor = anchor_of(london)

        course = courses.course_book(anchor=anchor, every_days=7, count=5, actor=front_desk_user(), now=NOW)

        sessions = list(course.sessions.order_by("start"))
        assert len(sessions) == 6  # the one it was planned from is the first
        assert sessions[0] == anchor
        assert {local(s.start).time() for s in sessions} == {time(10)}
        assert {local(s.start).weekday() for s in sessions} == {1}
        assert {s.status for s in sessions} == {Appointment.Status.CONFIRMED}
        assert {s.source for s in sessions[1:]} == {Appointment.Source.DESK}
        assert AuditEvent.objects.filter(action=AuditEvent.Action.APPOINTMENT_CREATE).count() == 5

    def test_it_lists_a_clash_in_week_three_with_alternatives_and_books_nothing(self, london, london_now):
        anchor = anchor_of(london)
        week_three = TUESDAY_10 + timedelta(weeks=3) - timedelta(hours=1)  # 10:00 BST, 1 April
        AppointmentFactory(therapist=london["therapist"], location=london["location"], service=london["needling"],
                           start=week_three)  # fmt: skip
        before = Appointment.objects.count()

        with pytest.raises(CourseClash) as clash:
            courses.course_book(anchor=anchor, every_days=7, count=5, actor=front_desk_user(), now=NOW)

        plan = clash.value.plan
        assert [session.number for session in plan if session.problem] == [3]
        assert plan[2].problem == "Hannah Shaw has another appointment or time off then."
        alternatives = [local(slot.start).strftime("%a %d %H:%M") for slot in plan[2].alternatives]
        assert alternatives == ["Tue 01 09:00", "Tue 01 11:00", "Tue 01 11:15"]
        assert Appointment.objects.count() == before
        assert not Course.objects.exists()
        assert not OutboundMessage.objects.exists()

    def test_it_books_the_picked_alternative_for_the_clashing_session(self, london, london_now):
        anchor = anchor_of(london)
        week_three = TUESDAY_10 + timedelta(weeks=3) - timedelta(hours=1)
        AppointmentFactory(therapist=london["therapist"], location=london["location"], service=london["needling"],
                           start=week_three)  # fmt: skip
        pick = courses.course_plan(anchor=anchor, every_days=7, count=5, now=NOW)[2].alternatives[1].start

        course = courses.course_book(anchor=anchor, every_days=7, count=5, picks={3: pick}, actor=None, now=NOW)

        assert course.sessions.filter(start=pick).exists()
        assert course.sessions.count() == 6

    def test_it_refuses_a_pick_far_from_the_regular_time(self, london, london_now):
        """Only the days around each session are read from the diary: a time typed further away is not judged."""
        anchor = anchor_of(london)
        TimeOffFactory(therapist=london["therapist"], start=TUESDAY_10 + timedelta(weeks=8),
                       end=TUESDAY_10 + timedelta(weeks=8, hours=2))  # fmt: skip

        with pytest.raises(CourseClash) as clash:
            courses.course_book(anchor=anchor, every_days=7, count=2, picks={2: TUESDAY_10 + timedelta(weeks=8)},
                                actor=None, now=NOW)  # fmt: skip

        assert clash.value.plan[1].problem == "Pick a time within 3 days of the usual one."
        assert not Course.objects.exists()

    @pytest.mark.parametrize("blocker", ["time_off", "closure", "hours"])
    def test_it_says_why_a_session_is_not_free(self, london, london_now, blocker):
        anchor = anchor_of(london)
        second = TUESDAY_10 + timedelta(weeks=1)
        if blocker == "time_off":
            TimeOffFactory(therapist=london["therapist"], start=second, end=second + timedelta(hours=2))
            expected = "Hannah Shaw has another appointment or time off then."
        elif blocker == "closure":
            ClosureFactory(location=london["location"], first_day=second.date(), last_day=second.date())
            expected = "London Bridge is closed that day."
        else:
            london["therapist"].working_hours.filter(weekday=1).update(start_time=time(13))
            expected = "It is outside Hannah Shaw's working hours."

        plan = courses.course_plan(anchor=anchor, every_days=7, count=2, now=NOW)

        assert plan[0].problem == expected
        assert plan[1].problem == ("" if blocker != "hours" else expected)  # hours are weekly

    def test_it_refuses_a_course_reaching_past_the_horizon(self, london, london_now):
        with pytest.raises(services.BookingError, match="bookings open only 365 days ahead"):
            courses.course_book(anchor=anchor_of(london), every_days=56, count=12, actor=None, now=NOW)
        assert not Course.objects.exists()

    def test_it_refuses_without_a_valid_screening(self, london, london_now):
        london["intake"].delete()
        with pytest.raises(services.NeedsIntake):
            courses.course_book(anchor=anchor_of(london, intake=None), every_days=7, count=3, actor=None, now=NOW)
        assert not Course.objects.exists()

    def test_it_holds_every_session_for_review_when_the_screening_needs_it(self, london, london_now):
        london["intake"].delete()
        intake = IntakeFactory(needs_review=True, patient=london["patient"], location=london["location"],
                               submitted_at=NOW - timedelta(days=1))  # fmt: skip
        anchor = anchor_of(london, status=Appointment.Status.PENDING_REVIEW, intake=intake)

        course = courses.course_book(anchor=anchor, every_days=7, count=3, actor=None, now=NOW)

        assert set(course.sessions.values_list("status", flat=True)) == {Appointment.Status.PENDING_REVIEW}
        assert set(course.sessions.exclude(pk=anchor.pk).values_list("intake", flat=True)) == {intake.pk}
        assert not OutboundMessage.objects.filter(kind__startswith=services.REMINDER_PREFIX).exists()

    @pytest.mark.parametrize("status", [Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])
    def test_it_plans_nothing_from_an_appointment_that_holds_no_time(self, london, london_now, status):
        with pytest.raises(services.BookingError, match="no course can be planned"):
            courses.course_book(anchor=anchor_of(london, status=status), every_days=7, count=3, actor=None, now=NOW)


@pytest.mark.django_db
class TestMessages:
    def test_it_owes_one_confirmation_and_each_sessions_reminders(self, london, london_now, settings):
        settings.BOOKING_REMINDER_OFFSETS_HOURS = [24, 2]
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=3, actor=None, now=NOW)

        owed = OutboundMessage.objects.all()
        assert owed.filter(kind=courses.KIND_COURSE_CONFIRMATION).count() == 1
        new = course.sessions.exclude(start=TUESDAY_10)
        reminders = owed.filter(kind__startswith=services.REMINDER_PREFIX)
        assert sorted(reminders.values_list("due_at", flat=True)) == sorted(
            s.start - timedelta(hours=h) for s in new for h in (24, 2)
        )

    def test_the_confirmation_lists_every_date_with_one_calendar_file(self, london, london_now):
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=5, actor=None, now=NOW)
        message = OutboundMessage.objects.get(kind=courses.KIND_COURSE_CONFIRMATION)

        rendered = course_messages.render_course_confirmation(message)

        assert rendered.subject == "Booked: 6 sessions of Dry needling session at London Bridge"
        assert "Tuesday 1 April 2025, 10:00 (UK time)" in rendered.text
        assert "Tuesday 11 March 2025, 10:00 (UK time)" in rendered.text
        assert rendered.text.count("/book/manage/") == 6
        name, ics, kind = rendered.attachments[0]
        assert (name, kind) == ("course.ics", "text/calendar")
        assert ics.count(b"BEGIN:VEVENT") == 6
        assert course.sessions.count() == 6
        assert not mail.outbox  # owed, not sent: the sweep sends

    def test_a_screening_running_out_before_a_later_session_asks_to_re_confirm(self, london, london_now):
        intake = london["intake"]
        intake.valid_until = TUESDAY_10 + timedelta(weeks=2, hours=1)
        intake.save()

        plan = courses.course_plan(anchor=anchor_of(london), every_days=7, count=4, now=NOW)
        courses.course_book(anchor=anchor_of(london, start=TUESDAY_10 + timedelta(days=1)), every_days=7, count=4,
                            actor=None, now=NOW)  # fmt: skip

        assert [session.screening_expires for session in plan] == [False, False, True, True]
        link = OutboundMessage.objects.get(kind="intake.returning_link")
        assert link.object_id == str(intake.pk)
        assert link.due_at == intake.valid_until - courses.RECONFIRM_LEAD


@pytest.mark.django_db
class TestQueryBudget:
    @pytest.mark.parametrize("count", [4, 12])
    def test_it_checks_and_books_any_number_of_sessions_in_the_same_queries(
        self, london, london_now, django_assert_num_queries, count
    ):
        """Prevents a query per session: 4 and 12 sessions cost the same.

        savepoint, therapist lock, anchor lock, current screening, working hours, time off, closures, held
        appointments, course insert, savepoint, sessions insert (one), release, anchor's course, audit events (one
        insert), messages (confirmation and every reminder, one insert), diary version, release."""
        anchor = anchor_of(london)
        user = front_desk_user()
        ContentType.objects.get_for_models(Course, Appointment)  # cached for the life of a process

        with django_assert_num_queries(17):
            course = courses.course_book(anchor=anchor, every_days=7, count=count, actor=user, now=NOW)

        assert course.sessions.count() == count + 1

    @pytest.mark.parametrize("count", [4, 12])
    def test_the_plan_the_desk_looks_at_costs_the_same_for_any_number_of_sessions(
        self, london, london_now, django_assert_num_queries, count
    ):
        """Prevents a query per session on the desk's "Check the dates".

        current screening, working hours, time off, closures, held appointments."""
        anchor = anchor_of(london)
        AppointmentFactory(
            therapist=london["therapist"],
            location=london["location"],
            service=london["needling"],
            start=TUESDAY_10 + timedelta(weeks=2),
        )  # a clash, so alternatives are computed too

        with django_assert_num_queries(5):
            plan = courses.course_plan(anchor=anchor, every_days=7, count=count, now=NOW)

        assert len(plan) == count
        assert plan[1].alternatives


@pytest.mark.django_db
class TestCancelLater:
    def test_the_patient_cancels_a_session_and_all_later_ones(self, london, london_now):
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=4, actor=None, now=NOW)
        sessions = list(course.sessions.order_by("start"))

        courses.course_cancel_from(appointment=sessions[2], now=NOW)

        statuses = [s.status for s in course.sessions.order_by("start")]
        assert statuses == ["confirmed", "confirmed", "cancelled", "cancelled", "cancelled"]
        notices = OutboundMessage.objects.filter(kind=services.KIND_CANCELLATION)
        assert list(notices.values_list("object_id", flat=True)) == [str(sessions[2].pk)]
        owed_later = OutboundMessage.objects.filter(object_id__in=[str(s.pk) for s in sessions[3:]]).owed()
        assert not owed_later.exists()

    def test_it_cancels_nothing_when_a_later_session_is_past_its_cut_off(self, london, london_now):
        course = courses.course_book(anchor=anchor_of(london), every_days=1, count=2, actor=None, now=NOW)
        first = course.sessions.order_by("start").first()
        late = first.start - timedelta(hours=1)

        with pytest.raises(services.TooLateToChange):
            courses.course_cancel_from(appointment=first, now=late)

        assert not course.sessions.filter(status=Appointment.Status.CANCELLED).exists()


@pytest.mark.django_db(transaction=True)
def test_two_desks_booking_overlapping_courses_at_once_one_wins_entirely(london):
    """Two desks, two patients, one therapist; their courses meet on Tuesday 25 March at 10:00."""
    with time_machine.travel(NOW, tick=False):
        first = anchor_of(london)
        other = PatientFactory()
        IntakeFactory(patient=other, location=london["location"], submitted_at=NOW - timedelta(days=1))
        second = anchor_of(london, patient=other, start=TUESDAY_10 + timedelta(days=6))  # Monday 17 March
        plans = [(first, 7), (second, 8)]

        results = race(2, lambda n: courses.course_book(anchor=plans[n][0], every_days=plans[n][1], count=3,
                                                         actor=None, now=NOW))  # fmt: skip

    won = [result for result in results if isinstance(result, Course)]
    lost = [result for result in results if isinstance(result, CourseClash)]
    assert (len(won), len(lost)) == (1, 1), results
    assert Course.objects.count() == 1
    assert Appointment.objects.filter(course__isnull=False).count() == 4
    loser = second if won[0].sessions.filter(pk=first.pk).exists() else first
    loser.refresh_from_db()
    assert loser.course_id is None
    assert Appointment.objects.filter(patient=loser.patient).count() == 1


@pytest.mark.django_db
class TestCancelLaterByLink:
    def test_the_cancel_page_offers_this_session_or_it_and_the_later_ones(self, client, london, london_now):
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=3, actor=None, now=NOW)
        second = course.sessions.order_by("start")[1]

        page = client.get(f"/book/manage/{services.manage_token(second)}/cancel/").content.decode()

        assert "This one and the 2 later sessions" in page
        assert "Tuesday 1 April 2025, 10:00 (UK time)" in page

    def test_a_single_appointment_is_offered_no_choice(self, client, london, london_now):
        page = client.get(f"/book/manage/{services.manage_token(anchor_of(london))}/cancel/").content.decode()

        assert 'name="scope"' not in page

    def test_posting_later_cancels_it_and_the_later_ones(self, client, london, london_now):
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=3, actor=None, now=NOW)
        second = course.sessions.order_by("start")[1]

        response = client.post(f"/book/manage/{services.manage_token(second)}/cancel/", {"scope": "later"})

        assert response.status_code == 302
        statuses = list(course.sessions.order_by("start").values_list("status", flat=True))
        assert statuses == ["confirmed", "cancelled", "cancelled", "cancelled"]


@pytest.mark.django_db
class TestMoveLater:
    """The patient moves a session and the later ones with it: the same change of day and local time for each."""

    def test_it_moves_this_and_the_later_sessions_keeping_their_spacing(self, london, london_now):
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=3, actor=None, now=NOW)
        sessions = list(course.sessions.order_by("start"))
        wednesday_11 = sessions[1].start + timedelta(days=1, hours=1)  # Wednesday 19 March, 11:00 GMT

        courses.course_move_from(appointment=sessions[1], start=wednesday_11, now=NOW)

        moved = [local(s.start).strftime("%a %d %b %H:%M %Z") for s in course.sessions.order_by("start")]
        assert moved == ["Tue 11 Mar 10:00 GMT", "Wed 19 Mar 11:00 GMT", "Wed 26 Mar 11:00 GMT",
                         "Wed 02 Apr 11:00 BST"]  # fmt: skip
        assert OutboundMessage.objects.filter(kind=courses.KIND_COURSE_MOVED).count() == 1
        reminders = OutboundMessage.objects.filter(object_id=str(sessions[3].pk), kind__startswith="booking.reminder")
        assert {m.due_at for m in reminders.owed()} == {
            s.start - b
            for s in [Appointment.objects.get(pk=sessions[3].pk)]
            for b in services.reminder_kinds().values()
        }

    def test_it_moves_nothing_when_a_later_time_is_taken(self, london, london_now):
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=3, actor=None, now=NOW)
        sessions = list(course.sessions.order_by("start"))
        wednesday_11 = sessions[1].start + timedelta(days=1, hours=1)
        AppointmentFactory(therapist=london["therapist"], location=london["location"], service=london["needling"],
                           start=wednesday_11 + timedelta(weeks=1))  # fmt: skip
        before = list(course.sessions.order_by("start").values_list("start", flat=True))

        with pytest.raises(services.BookingError, match="Nothing was moved"):
            courses.course_move_from(appointment=sessions[1], start=wednesday_11, now=NOW)

        assert list(course.sessions.order_by("start").values_list("start", flat=True)) == before
        assert not OutboundMessage.objects.filter(kind=courses.KIND_COURSE_MOVED).exists()

    def test_the_link_offers_and_moves_the_later_sessions(self, client, london, london_now):
        course = courses.course_book(anchor=anchor_of(london), every_days=7, count=3, actor=None, now=NOW)
        second = course.sessions.order_by("start")[1]
        token = services.manage_token(second)
        start = "20250319T1100Z"

        page = client.get(f"/book/manage/{token}/reschedule/", {"start": start}).content.decode()
        response = client.post(f"/book/manage/{token}/reschedule/", {"start": start, "later": "1"})

        assert "Move the 2 later sessions too, the same way" in page
        assert "Wednesday 2 April 2025, 11:00 (UK time)" in page
        assert response.status_code == 302
        assert [local(s.start).strftime("%a %H:%M") for s in course.sessions.order_by("start")] == [
            "Tue 10:00", "Wed 11:00", "Wed 11:00", "Wed 11:00"
        ]  # fmt: skip
