"""The waiting list's outbox message (registered by messages.register): "a time has come up, held for you", with the
signed claim link and nothing about the patient's health. Still due only while the offer is open and unexpired."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.core import outbox
from clinic.core.models import OutboundMessage

from . import waitlist
from .models import WaitlistOffer


def _offer(message) -> WaitlistOffer | None:
    offer = message.subject_object
    return offer if isinstance(offer, WaitlistOffer) else None


def claim_url(offer: WaitlistOffer) -> str:
    return settings.SITE_URL + reverse("booking:waitlist_offer", args=[waitlist.offer_token(offer)])


def render_offer(message) -> outbox.RenderedMessage | None:
    offer = _offer(message)
    if offer is None:
        return None
    patient, location = offer.wish.patient, offer.location
    context = {"offer": offer, "patient": patient, "location": location, "claim_url": claim_url(offer)}
    if message.channel == OutboundMessage.Channel.SMS:
        phone = patient.phone
        to = [phone.as_e164] if phone and phone.is_valid() else []
        text = " ".join(render_to_string("booking/email/waitlist_offer.sms.txt", context).split())
        return outbox.RenderedMessage(to=to, text=text)
    return outbox.RenderedMessage(
        to=[patient.email] if patient.email else [],
        subject=f"A time has come up: {offer.service.name}",
        text=render_to_string("booking/email/waitlist_offer.txt", context),
        html=render_to_string("booking/email/waitlist_offer.html", context),
    )


def offer_still_due(message) -> bool:
    offer = _offer(message)
    return offer is not None and offer.is_open_at(timezone.now())


def register() -> None:
    outbox.register_kind(waitlist.KIND_OFFER, render=render_offer, still_due=offer_still_due)
