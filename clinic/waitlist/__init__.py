"""Patients waiting for a doctor or service to free up, and the holds offered to them."""
