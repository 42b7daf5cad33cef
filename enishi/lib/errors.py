"""Exceptions shared by every app's services."""

from __future__ import annotations


class ActionRefused(Exception):
    """A business rule says no; the message is for the person who asked."""
