"""The consent text patients agree to before a first needling session (CLINICAL.md, "Consent"), with its version.

Changing a word here means a new CONSENT_VERSION: each intake records the version its patient agreed to.
"""

CONSENT_VERSION = "2026.1"

CONSENT_TITLE = "Consent to dry needling"

# Paragraphs, shown in full on the consent step.
CONSENT_PARAGRAPHS = (
    "Dry needling uses a very thin, sterile, single-use solid needle. Nothing is injected.",
    "It aims to ease muscle pain and stiffness and help you move better. We cannot guarantee results.",
    "Common effects are soreness for 24 to 48 hours, bruising, minor bleeding, tiredness and brief faintness. "
    "About one treatment in five to two in five brings a minor, short-lived effect like these.",
    "Serious problems are rare: about one in a thousand treatments or fewer. They include a collapsed lung when "
    "needling near the chest, nerve injury and infection. Your therapist takes care to avoid them.",
    "You can ask questions at any time, ask your therapist to stop at any time, and withdraw your consent whenever "
    "you wish.",
    "This consent covers your course of dry needling treatment. Your therapist will check with you again before "
    "each session.",
    "For a patient under 18, a parent or guardian gives this consent.",
)
