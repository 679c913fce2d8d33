"""An offline gazetteer: GeoNames places, admin units and polygons in one SQLite file."""
from sitrep.gazetteer.names import fold_key
from sitrep.gazetteer.store import AdminArea, Gazetteer, Place, default_path

__all__ = ["AdminArea", "Gazetteer", "Place", "default_path", "fold_key"]
