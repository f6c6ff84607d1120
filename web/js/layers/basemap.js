// The project's own basemap: ward polygons (2025 boundaries) and the roads of the study area,
// both served by motcua, styled by the `class` property the server sets (major|minor|path).
import { getBasemapExtent, getBasemapRoads, getBasemapWards, getMeta } from '../api.js';
import { t } from '../i18n.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

/** How the study extent and the roads file's reach are drawn (map and legend alike). */
export const EXTENT_LINE = { colour: '#3b3355', width: 2.2, dash: [3, 2] };
export const ROAD_DATA_LINE = { colour: '#2f6fb0', width: 1.6, dash: [1, 1.5] };

/** Layer id that overlays (coverage cells) go beneath, so ward outlines stay readable on top. */
export const BASEMAP_TOP = 'wards-outline';

/**
 * Draws the wards, the study extent and the major roads, and resolves: that is the first map.
 * The minor roads and paths (most of the bytes) are fetched meanwhile and drawn when they come.
 */
export async function addBasemap(map) {
  const detail = getBasemapRoads('detail').catch(() => EMPTY);
  const [roads, wards, extent] = await Promise.all([
    getBasemapRoads('major').catch(() => EMPTY),
    getBasemapWards().catch(() => EMPTY),
    getBasemapExtent().catch(() => EMPTY),
  ]);
  map.addSource('wards', { type: 'geojson', data: wards });
  map.addSource('roads', { type: 'geojson', data: roads });
  map.addSource('roads-detail', { type: 'geojson', data: EMPTY });
  detail.then((data) => {
    // The map may be gone (view switched) before the detail arrives.
    try {
      map.getSource('roads-detail')?.setData(data);
    } catch {
      // Removed maps have no style left to draw into.
    }
  });
  map.addLayer({ id: 'wards-fill', type: 'fill', source: 'wards', paint: { 'fill-color': '#fbfaf7', 'fill-opacity': 0.9 } });
  map.addLayer({
    id: 'roads-path',
    type: 'line',
    source: 'roads-detail',
    filter: ['==', ['get', 'class'], 'path'],
    minzoom: 13,
    paint: { 'line-color': '#d3cec4', 'line-width': 0.6, 'line-dasharray': [2, 1] },
  });
  map.addLayer({
    id: 'roads-minor',
    type: 'line',
    source: 'roads-detail',
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
  // Every figure is of the residents inside the study extent; outside the road data the verdict
  // cannot rest on roads (those cells are grey: unknown, or covered by the straight radius).
  map.addSource('extent', { type: 'geojson', data: extent });
  for (const [id, kind, line] of [
    ['road-data-line', 'road_data', ROAD_DATA_LINE],
    ['extent-line', 'study_extent', EXTENT_LINE],
  ]) {
    map.addLayer({
      id,
      type: 'line',
      source: 'extent',
      filter: ['==', ['get', 'kind'], kind],
      paint: { 'line-color': line.colour, 'line-width': line.width, 'line-dasharray': line.dash },
    });
  }
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

/** A legend element for the study extent and the road data's reach. */
export function extentLegend() {
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.dataset.testid = 'legend-extent';
  const title = document.createElement('div');
  title.className = 'legend-title';
  title.textContent = t('legend.areas');
  legend.append(title);
  for (const [line, label] of [
    [EXTENT_LINE, t('legend.extent')],
    [ROAD_DATA_LINE, t('legend.roadData', { vintage: '…' })],
  ]) {
    const row = document.createElement('span');
    row.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'legend-swatch line';
    swatch.style.borderTop = `${Math.round(line.width)}px dashed ${line.colour}`;
    row.append(swatch, document.createTextNode(label));
    legend.append(row);
  }
  const roadLabel = legend.lastChild.lastChild;
  getMeta()
    .then((meta) => {
      roadLabel.textContent = t('legend.roadData', { vintage: meta.area?.roads_vintage ?? '?' });
    })
    .catch(() => {});
  return legend;
}
