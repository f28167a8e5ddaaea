"""The shared core: locations, staff roles, the audit log. It imports none of the other apps."""
