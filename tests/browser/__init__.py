"""Helpers for the player's browser tests."""
