"""The consent text patients agree to before a first needling session (docs/clinical.md, "Consent"), by version.

Changing a word means a new version: each intake records the version its patient agreed to, and every released
version's text stays here, so staff can always read what a patient agreed to. A test holds each version's
fingerprint, so an edit under an old version number fails.
"""

import hashlib

CONSENT_TITLE = "Consent to dry needling"

# "{emergency}" is the emergency number of the clinic's country (Location.emergency_phone), filled in when shown.
CONSENT_TEXTS = {
    "2026.1": (
        "Dry needling uses a very thin, sterile, single-use solid needle. Nothing is injected.",
        "It aims to ease muscle pain and stiffness and help you move better. We cannot guarantee results.",
        "Common effects are soreness for 24 to 48 hours, bruising, minor bleeding, tiredness and brief faintness. "
        "About one treatment in five to two in five brings a minor, short-lived effect like these.",
        "Serious problems are rare: about one in a thousand treatments or fewer. They include a collapsed lung when "
        "needling near the chest, nerve injury and infection. Your therapist takes care to avoid them.",
        "You can ask questions at any time, ask your therapist to stop at any time, and withdraw your consent "
        "whenever you wish.",
        "This consent covers your course of dry needling treatment. Your therapist will check with you again before "
        "each session.",
        "For a patient under 18, a parent or guardian gives this consent.",
    ),
    "2026.2": (
        "Dry needling uses a very thin, sterile needle that is used once and then thrown away. The needle is solid, "
        "so nothing is injected into your body.",
        "It aims to ease muscle pain and stiffness and to help you move more easily. Many people find it helps, but "
        "we cannot promise that it will work for you.",
        "Most side effects are mild and pass quickly. You may feel sore for one or two days, and you may see a "
        "bruise or a small spot of blood. Some people feel tired, or a little faint for a short time. About one "
        "treatment in five, and at most two in five, brings a mild effect like these.",
        "Serious problems are rare. Taken all together, they happen in about one treatment in a thousand, or fewer. "
        "They include nerve injury and an infection where the needle went in.",
        "A collapsed lung is one of these rare problems, and it is much rarer than one in a thousand: a study of "
        "7,629 treatments in Ireland did not see a single one. It can only happen when we needle near the chest, "
        "such as the shoulders or upper back. There, your therapist takes great care over the angle and depth of "
        "the needle.",
        "If you become short of breath or have chest pain after needling near your chest, call {emergency} for an "
        "ambulance straight away. It can start a few hours later, or up to about two days later.",
        "If your treatment uses electrical stimulation, a small current passes between two needles. You will feel "
        "tingling or tapping, and the muscle may twitch. The skin around a needle can become a little red or sore, "
        "but this is rare. We do not use it if you have a pacemaker, a defibrillator or another implanted "
        "electrical device. In pregnancy, we keep it gentle and well away from the belly.",
        "You can ask questions at any time. You can ask your therapist to stop at any time, and you can take back "
        "your consent whenever you wish.",
        "This consent covers your course of dry needling. Your therapist will check with you again before each "
        "session.",
        "For a patient under 18, a parent or guardian gives this consent.",
    ),
}
CONSENT_VERSION = "2026.2"
CONSENT_PARAGRAPHS = CONSENT_TEXTS[CONSENT_VERSION]

# Fingerprints of released versions (see fingerprint()): a released text never changes.
FINGERPRINTS = {
    "2026.1": "b026813adc65c101",
    "2026.2": "18f7503a51bfb8c7",
}

# When no location is known (it always is on the questionnaire), the text still tells the patient what to call.
NO_LOCATION_EMERGENCY = "your local emergency number"


def paragraphs(*, version: str = CONSENT_VERSION, emergency_number: str = "") -> list[str]:
    """The paragraphs of a version, with the emergency number of the clinic's country filled in."""
    return [p.replace("{emergency}", emergency_number or NO_LOCATION_EMERGENCY) for p in CONSENT_TEXTS[version]]


def fingerprint(version: str) -> str:
    return hashlib.sha256(repr((CONSENT_TITLE, CONSENT_TEXTS[version])).encode()).hexdigest()[:16]
