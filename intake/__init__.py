"""Patients, the screening questionnaire and its rule set, consent, and the therapists' review queue."""
