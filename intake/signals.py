"""Signals intake sends to the layers above it (booking), which intake may not import."""

import django.dispatch

# Sent inside the review decision's transaction:
#   intake_reviewed.send(sender=Intake, intake=intake, decision=<the Intake.ReviewStatus it leads to>, actor=user)
# Booking's receiver confirms or cancels that patient's pending-review appointments in the same transaction.
intake_reviewed = django.dispatch.Signal()
