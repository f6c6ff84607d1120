// The project's own basemap: ward polygons (2025 boundaries) and the roads of the study area,
// both served by motcua, styled by the `class` property the server sets (major|minor|path).
import { getBasemapRoads, getBasemapWards } from '../api.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

/** Layer id that overlays (coverage cells) go beneath, so ward outlines stay readable on top. */
export const BASEMAP_TOP = 'wards-outline';

export async function addBasemap(map) {
  const [roads, wards] = await Promise.all([getBasemapRoads().catch(() => EMPTY), getBasemapWards().catch(() => EMPTY)]);
  map.addSource('wards', { type: 'geojson', data: wards });
  map.addSource('roads', { type: 'geojson', data: roads });
  map.addLayer({ id: 'wards-fill', type: 'fill', source: 'wards', paint: { 'fill-color': '#fbfaf7', 'fill-opacity': 0.9 } });
  map.addLayer({
    id: 'roads-path',
    type: 'line',
    source: 'roads',
    filter: ['==', ['get', 'class'], 'path'],
    minzoom: 13,
    paint: { 'line-color': '#d3cec4', 'line-width': 0.6, 'line-dasharray': [2, 1] },
  });
  map.addLayer({
    id: 'roads-minor',
    type: 'line',
    source: 'roads',
    filter: ['==', ['get', 'class'], 'minor'],
    paint: { 'line-color': '#cfc9bd', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.3, 15, 2] },
  });
  map.addLayer({
    id: 'roads-major',
    type: 'line',
    source: 'roads',
    filter: ['==', ['get', 'class'], 'major'],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#b8ad98', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.8, 15, 4] },
  });
  map.addLayer({
    id: BASEMAP_TOP,
    type: 'line',
    source: 'wards',
    paint: { 'line-color': '#8d8aa0', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.5, 15, 1.5], 'line-opacity': 0.8 },
  });
}

/** Ward name under a screen point, for tooltips (the map draws no text labels: no font files). */
export function wardNameAt(map, point) {
  const features = map.queryRenderedFeatures(point, { layers: ['wards-fill'] });
  return features.length ? features[0].properties.name : null;
}
