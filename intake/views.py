"""Views of the screening questionnaire, its outcome, returning patients' links and the therapists' review queue.

Patients' pages never carry an intake id in the URL: the questionnaire remembers the finished intake in the
session. Staff pages do (login required). Health answers are never put in URLs, logs or flash messages.
"""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited
from formtools.wizard.views import NamedUrlSessionWizardView, WizardView

from clinic.core import parsing
from clinic.core.client import client_ip
from clinic.core.models import AuditEvent, Location
from clinic.core.services import audit_record

from . import catalogue, consent, rules, selectors, services
from .forms import AboutYouForm, ConsentForm, DecisionForm, HealthForm, ReturningForm, WhereForm
from .models import Intake, NeedlingBooking, Patient

NEXT_SESSION_KEY = "intake_next"
# The patient the desk sent the screening link to: the questionnaire starts with their details filled in.
INVITED_SESSION_KEY = "intake_invited_patient"
# When this browser started the questionnaire: unfinished answers are purged a day later (booking/retention.py).
QUESTIONNAIRE_STARTED_KEY = "started_at"
BOOKING_URL = "/book/"


def _submit_rate() -> str:
    return settings.INTAKE_SUBMIT_RATE


def _link_rate(group=None, request=None) -> str:
    # django-ratelimit calls a callable rate with (group, request).
    return settings.INTAKE_LINK_RATE


def _safe_next(request, value: str | None) -> str:
    if (
        value
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and value.startswith("/")
    ):
        return value
    return ""


# --- Questionnaire -----------------------------------------------------------------------------------------------


class QuestionnaireView(NamedUrlSessionWizardView):
    form_list = [("about", AboutYouForm), ("where", WhereForm), ("health", HealthForm), ("consent", ConsentForm)]
    template_name = "intake/questionnaire.html"
    step_titles = {
        "about": "About you",
        "where": "Where it hurts and what brings you",
        "health": "Your health",
        "consent": "Consent",
    }

    # Post/Redirect/Get (docs/design.md): every POST answers with a redirect to a GET of a step's own URL
    # (/intake/step/<name>/), and the answers live in the session, so Back, reload and a second tab show the answers
    # kept instead of re-posting a form. /intake/ itself carries on with a questionnaire in progress.

    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
        in_progress = bool(self.storage.extra_data.get("submission_key"))
        if step is None:
            if not in_progress or "restart" in request.GET:
                self.storage.reset()
                self.storage.current_step = self.steps.first
                self._start(request)
            else:  # a second tab, or the link again: the answers so far are kept; a newer destination wins
                self._remember_where_from(request, only_given=True)
            return redirect(self.get_step_url(self.steps.current))
        if not in_progress:
            # The session expired (or a bookmark of a step): start again, saying so.
            messages.info(request, "Your session expired, so we have started the questionnaire again.")
            return redirect("intake:start")
        if step not in self.get_form_list():  # "done" or a made-up name: the step the person is on
            return redirect(self.get_step_url(self.steps.current))
        earlier = list(self.get_form_list())
        for before in earlier[: earlier.index(step)]:
            if self.storage.get_step_data(before) is None:  # a step further on than answered so far
                return redirect(self.get_step_url(before))
        return super().get(request, *args, **kwargs)

    def _start(self, request) -> None:
        extra = self.storage.extra_data
        extra["submission_key"] = str(uuid.uuid4())
        extra[QUESTIONNAIRE_STARTED_KEY] = timezone.now().isoformat()
        self.storage.extra_data = extra
        self._remember_where_from(request, only_given=False)

    def _remember_where_from(self, request, *, only_given: bool) -> None:
        """Where to go once cleared (a chosen time) and the clinic and service the person came from."""
        extra = self.storage.extra_data
        given = {
            "next": _safe_next(request, request.GET.get("next")),
            "location": parsing.slug(request.GET.get("location"), max_length=50) or "",
            "service": parsing.slug(request.GET.get("service"), max_length=80) or "",
            # Sent here from a chosen time (booking): the first step says why, and the outcome leads back to it.
            "from_time": "1" if request.GET.get("why") == "time" and request.GET.get("next") else "",
        }
        for name, value in given.items():
            if value or not only_given:
                extra[name] = value
        self.storage.extra_data = extra

    def post(self, request, *args, **kwargs):
        # A second click on "Submit" after the first one finished: show the outcome it already produced.
        key = request.POST.get("consent-submission_key", "")
        done_pk = request.session.get(selectors.SESSION_KEY)
        if key and done_pk and Intake.objects.filter(pk=done_pk, submission_key=_uuid_or_none(key)).exists():
            return redirect("intake:outcome")
        if not self.storage.extra_data.get("submission_key"):
            # The session expired (or a bookmark was posted to): start again rather than lose answers silently.
            messages.info(request, "Your session expired, so we have started the questionnaire again.")
            return redirect("intake:start")
        step = request.POST.get(f"{self.get_prefix(request, *args, **kwargs)}-current_step")
        if step is not None and step not in self.get_form_list():
            # A tampered or stale page naming a step that does not exist: show the step the person is on.
            messages.error(request, "That page of the questionnaire could not be read; please check this step.")
            return redirect(self.get_step_url(self.steps.current))
        return super().post(request, *args, **kwargs)

    def render(self, form=None, **kwargs):
        if self.request.method == "POST":
            # A step that did not validate: keep what was typed and show it, with its errors, from a GET.
            self.storage.set_step_data(self.steps.current, self.process_step(form))
            return redirect(self.get_step_url(self.steps.current))
        return super().render(form, **kwargs)

    def render_goto_step(self, goto_step, **kwargs):
        # Keep what was typed on this step, finished or not, so going back loses nothing.
        form = self.get_form(data=self.request.POST, files=self.request.FILES)
        self.storage.set_step_data(self.steps.current, self.process_step(form))
        return super().render_goto_step(goto_step, **kwargs)

    def render_done(self, form, **kwargs):
        # The answers are sent by the POST of the last step, never by a GET of a "done" URL; done() redirects.
        return WizardView.render_done(self, form, **kwargs)

    def get_form_initial(self, step):
        extra = self.storage.extra_data
        if step == "about":
            initial = _invited_details(self.request)
            if extra.get("location"):
                location = Location.objects.active().filter(slug=extra["location"]).first()
                initial.update({"location": location} if location else {})
            return initial
        if step == "where" and extra.get("service"):
            return {"service": extra["service"]}
        if step == "consent":
            return {"submission_key": extra.get("submission_key")}
        return {}

    def get_form_kwargs(self, step=None):
        if step == "where":
            about = self.get_cleaned_data_for_step("about") or {}
            return {"location": about.get("location")}
        if step == "consent":
            about = self.get_cleaned_data_for_step("about") or {}
            born = about.get("date_of_birth")
            name = f"{about.get('first_name', '')} {about.get('last_name', '')}".strip()
            location = about.get("location")
            today = _today(location)
            return {"patient_name": name, "is_minor": bool(born and rules.age_on(born, today) < rules.ADULT_AGE)}
        return {}

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        number = self.steps.step1
        context.update(
            step_title=self.step_titles[self.steps.current],
            step_number=number,
            step_count=self.steps.count,
            consent=consent,
            error_summary=form.error_summary() if form.is_bound else [],
            from_time=bool(self.storage.extra_data.get("from_time")),
        )
        if self.steps.current == "consent":
            location = (self.get_cleaned_data_for_step("about") or {}).get("location")
            context["consent_paragraphs"] = consent.paragraphs(
                emergency_number=location.emergency_phone if location else ""
            )
        return context

    def done(self, form_list, form_dict, **kwargs):
        if is_ratelimited(self.request, group="intake.submit", key="ip", rate=_submit_rate(), increment=True):
            raise Ratelimited
        about, where = form_dict["about"].cleaned_data, form_dict["where"].cleaned_data
        health, agreed = form_dict["health"], form_dict["consent"].cleaned_data
        answers = {
            "areas": where["areas"],
            "area_side": where["side"],
            "what_brings_you": where["what_brings_you"],
            **health.answers(),
        }
        intake = services.intake_submit(
            submission_key=uuid.UUID(self.storage.extra_data["submission_key"]),
            first_name=about["first_name"],
            last_name=about["last_name"],
            email=about["email"],
            phone=about["phone"],
            date_of_birth=about["date_of_birth"],
            location=about["location"],
            service_slug=where.get("service", ""),
            answers=answers,
            consent_name=agreed["full_name"],
            guardian_name=agreed.get("guardian_name", ""),
            guardian_relationship=agreed.get("guardian_relationship", ""),
            consent_ip=client_ip(self.request),
        )
        selectors.remember_intake(self.request, intake)
        self.request.session[NEXT_SESSION_KEY] = self.storage.extra_data.get("next", "")
        self.request.session.pop(INVITED_SESSION_KEY, None)
        return redirect("intake:outcome")


def _invited_details(request) -> dict:
    """The contact details of the patient whose screening link opened this questionnaire (never health answers)."""
    pk = request.session.get(INVITED_SESSION_KEY)
    patient = Patient.objects.filter(pk=pk, erased_at__isnull=True).first() if isinstance(pk, int) else None
    if patient is None:
        return {}
    return {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": patient.email,
        "phone": patient.phone.as_international if patient.phone else "",
        "date_of_birth": patient.date_of_birth,
    }


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _today(location):
    return timezone.localdate(timezone=location.zone) if location else timezone.localdate()


start = never_cache(QuestionnaireView.as_view(url_name="intake:step", done_step_name="done"))


@never_cache
@require_GET
def outcome(request):
    intake = selectors.current_intake(request)
    if intake is None:
        return redirect("intake:start")
    next_url = _safe_next(request, request.session.get(NEXT_SESSION_KEY)) or _booking_url(intake)
    patient_texts, good_to_know = rules.outcome_wording(intake.outcome, intake.results)
    template = {
        Intake.Outcome.CLEARED: "intake/outcome_cleared.html",
        Intake.Outcome.NEEDS_REVIEW: "intake/outcome_needs_review.html",
        Intake.Outcome.NOT_SUITABLE: "intake/outcome_not_suitable.html",
    }[intake.outcome]
    return render(
        request,
        template,
        {
            "intake": intake,
            "location": intake.location,
            "continue_url": (
                next_url if intake.needling_booking != NeedlingBooking.REFUSE else _booking_url(intake, needles=False)
            ),
            "back_to_time": next_url.startswith(f"{BOOKING_URL}confirm/"),
            "patient_texts": patient_texts,
            "good_to_know": good_to_know,
        },
    )


def _booking_url(intake: Intake, *, needles: bool = True) -> str:
    """Booking, with the clinic and the service chosen in the screening already chosen (booking checks both; the
    area to treat is health information, so it stays in the screening and never goes into a URL)."""
    wanted = {"location": intake.location.slug if intake.location else ""}
    if needles and intake.service_slug:
        wanted["service"] = intake.service_slug
    if not needles:
        wanted["needles"] = "no"
    query = urlencode({name: value for name, value in wanted.items() if value})
    return f"{BOOKING_URL}?{query}" if query else BOOKING_URL


# --- Returning patients ------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_link_rate, method="POST", block=True, group="intake.returning_link")
def returning(request):
    """ "Answered in the last 6 months?" The same answer whether or not the address is known."""
    form = ReturningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.returning_link_request(email=form.cleaned_data["email"])
        return redirect("intake:returning_sent")
    return render(
        request,
        "intake/returning.html",
        {"form": form, "error_summary": form.error_summary() if form.is_bound else []},
    )


@require_GET
def returning_sent(request):
    return render(request, "intake/returning_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def returning_confirm(request, token):
    intake = services.intake_from_returning_token(token)
    if intake is None:
        return render(request, "intake/returning_expired.html", status=410)
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            try:
                intake = services.intake_confirm_unchanged(intake=intake)
            except services.ReturningLinkUsed:
                return render(request, "intake/returning_expired.html", status=410)
            selectors.remember_intake(request, intake)
            request.session.setdefault(NEXT_SESSION_KEY, "")
            return redirect("intake:outcome")
        return redirect("intake:start")
    return render(request, "intake/returning_confirm.html", {"intake": intake, "patient": intake.patient})


@never_cache
@require_GET
def screening_link(request, token):
    """The link the desk sent a caller: a new questionnaire with their details filled in, for the clinic of their
    last screening if any. An expired or broken link still leads to the questionnaire, saying so. Not rate-limited:
    the token is signed, so there is nothing to guess, and a patient may open their link many times."""
    patient = services.patient_from_screening_token(token)
    if patient is None:
        messages.info(request, "That link has expired, but you can answer the questions here all the same.")
        return redirect("intake:start")
    request.session[INVITED_SESSION_KEY] = patient.pk
    last = Intake.objects.filter(patient=patient, location__is_active=True).select_related("location")
    last = last.order_by("-submitted_at").first()
    query = {"restart": "1", **({"location": last.location.slug} if last else {})}
    return redirect(f"{reverse('intake:start')}?{urlencode(query)}")


# --- Review queue (staff) -------------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request):
    """Screenings waiting for a therapist, each with the appointments held for it (time and clinic) and, for those
    who may see health data, why it was flagged; filtered by clinic, among the user's own locations only."""
    queue = selectors.review_queue(request.user)  # 403 without the permission to see screenings
    clinics = selectors.review_locations(request.user)
    clinic = None
    if request.GET.get("location"):
        wanted = parsing.whole_number(request.GET["location"])
        # An id outside the user's locations answers like one that does not exist (docs/access.md).
        clinic = next((location for location in clinics if location.pk == wanted), None)
        if clinic is None:
            raise Http404("No such clinic.")
    if clinic is not None:
        queue = queue.filter(location=clinic)
    intakes = list(queue)
    held = catalogue.held_for_many(intakes)
    show_reasons = selectors.can_see_health_answers(request.user)
    rows = [
        {
            "intake": intake,
            "held": held.get(intake.pk, []),
            "reasons": selectors.screening_reasons(intake) if show_reasons else [],
        }
        for intake in intakes
    ]
    # The queue lists patients and their screening outcomes: each view is audited, with who was listed; the reasons
    # flagged are health data, so each patient's is a view of their health details too.
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW_REVIEW_QUEUE,
        object_type="intake.intake",
        object_id="queue",
        request=request,
        detail={"count": len(intakes), "intake_ids": [intake.pk for intake in intakes][:200]},
    )
    if show_reasons:
        services.intakes_health_viewed(intakes=intakes, actor=request.user, request=request, via="review_queue")
    context = {"rows": rows, "intakes": intakes, "clinics": clinics, "clinic": clinic, "show_reasons": show_reasons}
    return render(request, "intake/review_queue.html", context)


@login_required
@never_cache
@require_GET
def review_detail(request, pk: int):
    intake = selectors.intake_for_staff(request, pk)
    show_answers = selectors.can_see_health_answers(request.user)
    context = {
        "intake": intake,
        "show_answers": show_answers,
        "can_review": selectors.can_review(request.user) and intake.outcome == Intake.Outcome.NEEDS_REVIEW,
        "service": catalogue.find_service(intake.service_slug, intake.location),
        # Approving confirms these: a clash with time off or hours is said before the therapist decides.
        "held": catalogue.held_for(intake),
    }
    if show_answers:
        services.intake_answers_viewed(intake=intake, actor=request.user, request=request)
        context.update(_answers_context(intake))
    return render(request, "intake/review_detail.html", context)


def _answers_context(intake: Intake) -> dict:
    flagged = {
        q
        for r in intake.results
        for q in r.get("questions", [])
        if r["disposition"] in (rules.NOT_SUITABLE, rules.NEEDS_REVIEW, rules.INFORM)
    }
    answers = intake.answers
    rows = []
    for question in rules.QUESTIONS:
        choice_labels = dict(question.choices)
        follow_ups = []
        for follow_up in question.follow_ups:
            if follow_up.name in answers:
                follow_ups.append(
                    (follow_up.label.removeprefix("If yes: "), _display(follow_up, answers[follow_up.name]))
                )
        rows.append(
            {
                "label": question.label,
                "answer": choice_labels.get(answers.get(question.name), "—"),
                "flagged": question.name in flagged,
                "follow_ups": follow_ups,
            }
        )
    area_labels = dict(rules.AREAS)
    return {
        "answer_rows": rows,
        "areas": [area_labels.get(a, a) for a in answers.get("areas", [])],
        "area_side": dict(rules.SIDES).get(answers.get("area_side"), ""),
        "earlier_answers": rules.earlier_answers(answers),
        "what_brings_you": answers.get("what_brings_you", ""),
        "age": answers.get("age"),
        "reasons": selectors.screening_reasons(intake),
    }


def _display(follow_up, value):
    labels = dict(follow_up.choices or rules.YES_NO)
    if isinstance(value, list):
        return ", ".join(labels.get(v, v) for v in value)
    if follow_up.kind in ("choice", "yesno"):
        return labels.get(value, value)
    return value


@login_required
@require_POST
def review_decide(request, pk: int):
    intake = selectors.intake_for_staff(request, pk)
    if not selectors.can_review(request.user):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        first_error = next(iter(form.errors.values()))[0]
        messages.error(request, first_error)
        return redirect("intake:review_detail", pk=intake.pk)
    try:
        services.intake_review_decide(
            intake_id=intake.pk,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            seen_status=form.cleaned_data["seen_status"],
            note=form.cleaned_data["note"],
            precautions=form.cleaned_data["precautions"],
            request=request,
        )
    except services.ReviewError as error:
        messages.error(request, str(error))
        return redirect("intake:review_detail", pk=intake.pk)
    done = Intake.ReviewStatus(form.cleaned_data["decision"]).label
    messages.success(request, f"{done}: {intake.patient.full_name}. The patient will be told by e-mail.")
    return redirect(reverse("intake:review_queue"))
