"""Therapy content: what dry needling is, conditions, sessions, aftercare, safety, FAQ, references and search."""
