"""The HTTP API and the web page: `create_app(db_path)` builds a FastAPI app over one store."""
from .app import create_app
from .settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
