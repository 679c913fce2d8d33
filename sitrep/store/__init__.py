"""The store: articles, pieces, places, actors, events, sources, quotes and rejects."""
from .sqlite import Store, open_store

__all__ = ["Store", "open_store"]
