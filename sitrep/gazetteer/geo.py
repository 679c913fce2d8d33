"""Plane geometry for the gazetteer: distances, point-in-polygon, TopoJSON arcs."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Ring = list[tuple[float, float]]  # (lon, lat) pairs, as in GeoJSON
Polygon = list[Ring]  # outer ring first, then holes
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def ring_contains(ring: Sequence[Sequence[float]], lon: float, lat: float) -> bool:
    """Even-odd rule: is (lon, lat) inside the ring?"""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def polygons_contain(polygons: Sequence[Polygon], lon: float, lat: float) -> bool:
    """Inside one of the polygons' outer rings and none of its holes."""
    for polygon in polygons:
        inside = bool(polygon) and ring_contains(polygon[0], lon, lat)
        if inside and not any(ring_contains(hole, lon, lat) for hole in polygon[1:]):
            return True
    return False


def geojson_polygons(geometry: dict[str, Any], digits: int = 3) -> list[Polygon]:
    """Polygon or MultiPolygon geometry as a list of polygons, coordinates rounded."""
    kind = geometry.get("type")
    if kind == "Polygon":
        parts = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        return []
    return [[[(round(x, digits), round(y, digits)) for x, y, *_ in ring] for ring in polygon]
            for polygon in parts]


def bbox(polygons: Sequence[Polygon]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the outer rings."""
    xs = [x for p in polygons for x, _ in p[0]]
    ys = [y for p in polygons for _, y in p[0]]
    return min(xs), min(ys), max(xs), max(ys)


def ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed-area centroid of a ring: (abs area, lon, lat), in degree units."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


def main_centroid(polygons: Sequence[Polygon]) -> tuple[float, float]:
    """(lat, lon) of the centroid of the largest polygon's outer ring."""
    _, lon, lat = max(ring_area_centroid(p[0]) for p in polygons if p and len(p[0]) > 2)
    return lat, lon


def topojson_polygons(topology: dict[str, Any], geometry: dict[str, Any]) -> list[Polygon]:
    """Decode one TopoJSON Polygon/MultiPolygon geometry (quantised, delta-encoded arcs)."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = topology["arcs"]

    def arc_points(index: int) -> list[tuple[float, float]]:
        x = y = 0
        points = []
        for dx, dy in arcs[index if index >= 0 else ~index]:
            x += dx
            y += dy
            points.append((round(x * scale_x + shift_x, 4), round(y * scale_y + shift_y, 4)))
        return points if index >= 0 else points[::-1]

    def ring(indexes: list[int]) -> Ring:
        points: Ring = []
        for index in indexes:
            part = arc_points(index)
            points.extend(part[1:] if points else part)
        return points

    if geometry.get("type") == "Polygon":
        return [[ring(r) for r in geometry["arcs"]]]
    if geometry.get("type") == "MultiPolygon":
        return [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
    return []
