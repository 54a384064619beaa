"""Actors (the async engine issue fills this in)."""
