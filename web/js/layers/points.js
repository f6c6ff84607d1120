// Receiving points drawn as circles styled by `kind` (head_office, branch, ward_desk,
// flexible_point, kiosk); a selected point gets a ring, and a point whose queue is overloaded or
// strained at the peak hour (its `level` from the coverage answer) a red or orange halo.
import { t } from '../i18n.js';

export const KIND_COLOURS = {
  head_office: '#6a1b9a',
  branch: '#1565c0',
  ward_desk: '#37474f',
  district_desk: '#00796b',
  flexible_point: '#ef6c00',
  kiosk: '#c2185b',
};
export const KINDS = Object.keys(KIND_COLOURS);

const EMPTY = { type: 'FeatureCollection', features: [] };

export const LOAD_HALO = { overloaded: '#c62828', strained: '#ef6c00' };

/** `levels`: point id → queue level (`fine`, `strained`, `overloaded`), when known. */
export function pointsToGeoJson(points, levels = {}) {
  return {
    type: 'FeatureCollection',
    features: points.map((p) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      properties: { id: p.id, name: p.name, kind: p.kind, approximate: Boolean(p.approximate), level: levels[p.id] ?? 'unknown' },
    })),
  };
}

export function addPoints(map, { id = 'points' } = {}) {
  map.addSource(id, { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: `${id}-load`,
    type: 'circle',
    source: id,
    filter: ['in', ['get', 'level'], ['literal', Object.keys(LOAD_HALO)]],
    paint: {
      'circle-radius': 14,
      'circle-color': ['match', ['get', 'level'], 'overloaded', LOAD_HALO.overloaded, LOAD_HALO.strained],
      'circle-opacity': 0.35,
      'circle-stroke-color': ['match', ['get', 'level'], 'overloaded', LOAD_HALO.overloaded, LOAD_HALO.strained],
      'circle-stroke-width': 2,
    },
  });
  map.addLayer({
    id: `${id}-selected`,
    type: 'circle',
    source: id,
    filter: ['==', ['get', 'id'], ''],
    paint: { 'circle-radius': 13, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#111', 'circle-stroke-width': 2.5 },
  });
  map.addLayer({
    id: `${id}-circle`,
    type: 'circle',
    source: id,
    paint: {
      'circle-radius': ['match', ['get', 'kind'], 'head_office', 9, 'branch', 7.5, 'flexible_point', 6.5, 5.5],
      'circle-color': ['match', ['get', 'kind'], ...KINDS.flatMap((k) => [k, KIND_COLOURS[k]]), '#555'],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': ['case', ['get', 'approximate'], 1, 2],
    },
  });
}

export function setPoints(map, points, { id = 'points', levels = {} } = {}) {
  const source = map.getSource(id);
  if (source) source.setData(pointsToGeoJson(points, levels));
}

export function setSelectedPoint(map, pointId, { id = 'points' } = {}) {
  if (map.getLayer(`${id}-selected`)) map.setFilter(`${id}-selected`, ['==', ['get', 'id'], pointId ?? '']);
}

/** The id of the receiving point under a screen position, if any. */
export function pointIdAt(map, point, { id = 'points', tolerance_px = 6 } = {}) {
  const box = [
    [point.x - tolerance_px, point.y - tolerance_px],
    [point.x + tolerance_px, point.y + tolerance_px],
  ];
  const features = map.queryRenderedFeatures(box, { layers: [`${id}-circle`] });
  return features.length ? features[0].properties.id : null;
}

export function pointsLegend(kinds = KINDS) {
  const legend = document.createElement('div');
  legend.className = 'legend';
  const title = document.createElement('div');
  title.className = 'legend-title';
  title.textContent = t('legend.points');
  legend.append(title);
  for (const kind of kinds) {
    const row = document.createElement('span');
    row.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'legend-swatch round';
    swatch.style.background = KIND_COLOURS[kind];
    row.append(swatch, document.createTextNode(t(`kind.${kind}`)));
    legend.append(row);
  }
  const loadTitle = document.createElement('div');
  loadTitle.className = 'legend-title';
  loadTitle.textContent = t('legend.load');
  legend.append(loadTitle);
  for (const [level, colour] of Object.entries(LOAD_HALO)) {
    const row = document.createElement('span');
    row.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'legend-swatch round';
    swatch.style.background = 'transparent';
    swatch.style.border = `2px solid ${colour}`;
    row.append(swatch, document.createTextNode(t(`load.level.${level}`)));
    legend.append(row);
  }
  return legend;
}
