"""The web page: its own files from sitrep/web, and an allow-list of npm files from node_modules."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from ..gazetteer.build import default_node_modules
from .errors import ApiError
from .settings import ApiSettings

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
PAGE_FILES = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css"}
# name served under /vendor/ -> path inside node_modules (installed by `npm ci` in the setup script)
VENDOR_FILES = {
    "leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "topojson-client.js": "topojson-client/dist/topojson-client.min.js",
    "countries-50m.json": "world-atlas/countries-50m.json",
}
VENDOR_TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}

router = APIRouter(include_in_schema=False)


def node_modules(settings: ApiSettings) -> Path:
    return settings.node_modules or default_node_modules()


def assets_present(settings: ApiSettings) -> bool:
    root = node_modules(settings)
    return all((root / rel).is_file() for rel in VENDOR_FILES.values())


@router.get("/")
def index() -> FileResponse:
    return page_file("index.html")


@router.get("/web/{name}")
def page_file(name: str) -> FileResponse:
    if name not in PAGE_FILES:
        raise ApiError(404, "not_found", f"No page file {name!r}.")
    return FileResponse(WEB_DIR / name, media_type=PAGE_FILES[name], headers={"Cache-Control": "no-cache"})


@router.get("/vendor/{name}")
def vendor_file(name: str, request: Request) -> FileResponse:
    if name not in VENDOR_FILES:
        raise ApiError(404, "not_found", f"No vendor file {name!r}.")
    path = node_modules(request.app.state.settings) / VENDOR_FILES[name]
    if not path.is_file():
        raise ApiError(503, "assets_missing", f"{path} is missing: run `npm ci` in the sitrep checkout.")
    return FileResponse(path, media_type=VENDOR_TYPES[path.suffix], headers={"Cache-Control": "max-age=3600"})
