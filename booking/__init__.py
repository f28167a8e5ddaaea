"""Services, therapists, hours, availability, appointments, patient self-service and the staff workspace."""
