"""Event coding: ACLED event types, actors, places, dates and fatalities from parsed text."""
from .coder import EventCoder

__all__ = ["EventCoder"]
