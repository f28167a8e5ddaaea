"""Audit of the clinic's set-up changed in the Django admin: hours, time off, closures, services, locations, staff.

The desk's own writes are audited in their services; this covers the admin's saves and deletes. Admin classes mix in
AuditedAdmin, which hooks the admin's own change log (it has the request: who and from where). Staff accounts are
Django's auth models, whose admin this project does not own: their admin log entries are audited as they are written.
"""

import json

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import AuditEvent
from .services import audit_record

Action = AuditEvent.Action

# Which audit action each kind of record's changes are filed under; anything else is "other set-up or content".
ACTION_BY_MODEL = {
    "booking.workinghours": Action.HOURS_CHANGE,
    "booking.timeoff": Action.TIME_OFF_CHANGE,
    "booking.closure": Action.CLOSURE_CHANGE,
    "booking.service": Action.SERVICE_CHANGE,
    "core.location": Action.LOCATION_CHANGE,
    "booking.therapist": Action.STAFF_CHANGE,
    "core.staffprofile": Action.STAFF_CHANGE,
    "auth.user": Action.STAFF_CHANGE,
    "auth.group": Action.STAFF_CHANGE,
}
# Inline rows saved with their parent (a therapist's working hours) are filed under their own action as well.
ACTION_BY_INLINE_NAME = {"working hours": Action.HOURS_CHANGE}
_CHANGES = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def _fields(message) -> list[str]:
    """Field names from the admin's structured change message (never values: they may be personal)."""
    fields = []
    for part in message if isinstance(message, list) else []:
        fields += part.get("changed", {}).get("fields", [])
    return fields


def _inline_actions(message) -> set[str]:
    actions = set()
    for part in message if isinstance(message, list) else []:
        for details in part.values():
            action = ACTION_BY_INLINE_NAME.get(str(details.get("name", ""))) if isinstance(details, dict) else None
            if action:
                actions.add(action)
    return actions


def admin_change_record(*, actor, obj, change: str, request=None, message=None) -> None:
    """Audit one admin save or delete of `obj` (and of the inline rows saved with it)."""
    action = ACTION_BY_MODEL.get(obj._meta.label_lower, Action.CONFIG_CHANGE)
    detail = {"change": change, "via": "admin", "fields": _fields(message)}
    audit_record(actor=actor, action=action, obj=obj, request=request, detail=detail)
    for inline_action in _inline_actions(message) - {action}:
        audit_record(actor=actor, action=inline_action, obj=obj, request=request, detail={**detail, "inline": True})


class AuditedAdmin:
    """Mixin for a ModelAdmin whose saves and deletes are audited (put it before admin.ModelAdmin)."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        admin_change_record(actor=request.user, obj=obj, change="add", request=request, message=message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        admin_change_record(actor=request.user, obj=obj, change="change", request=request, message=message)
        return entry

    def log_deletions(self, request, queryset):
        # Called before the rows go, with the objects still in hand.
        for obj in queryset:
            admin_change_record(actor=request.user, obj=obj, change="delete", request=request)
        return super().log_deletions(request, queryset)


@receiver(post_save, sender=LogEntry, dispatch_uid="core.audit_staff_accounts")
def _audit_staff_account_change(sender, instance: LogEntry, created: bool, **kwargs):
    """Staff accounts (users, groups) changed in the admin: the admin's own log entry, copied into the audit trail."""
    if not created or instance.content_type is None:
        return
    label = f"{instance.content_type.app_label}.{instance.content_type.model}"
    if label not in ("auth.user", "auth.group"):
        return
    audit_record(
        actor=instance.user,
        action=Action.STAFF_CHANGE,
        object_type=label,
        object_id=str(instance.object_id),
        detail={
            "change": _CHANGES.get(instance.action_flag, "change"),
            "via": "admin",
            "fields": _fields(_message_of(instance)),
        },
    )


def _message_of(entry: LogEntry):
    try:
        return json.loads(entry.change_message or "[]")
    except ValueError:
        return []
