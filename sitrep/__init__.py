"""sitrep: raw English conflict news in, ACLED-style event data out."""

__version__ = "0.1.0"
