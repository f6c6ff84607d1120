// Receiving points drawn as circles styled by `kind` (head_office, branch, ward_desk,
// flexible_point); a selected point gets a ring.
import { t } from '../i18n.js';

export const KIND_COLOURS = {
  head_office: '#6a1b9a',
  branch: '#1565c0',
  ward_desk: '#37474f',
  district_desk: '#00796b',
  flexible_point: '#ef6c00',
};
export const KINDS = Object.keys(KIND_COLOURS);

const EMPTY = { type: 'FeatureCollection', features: [] };

export function pointsToGeoJson(points) {
  return {
    type: 'FeatureCollection',
    features: points.map((p) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      properties: { id: p.id, name: p.name, kind: p.kind, approximate: Boolean(p.approximate) },
    })),
  };
}

export function addPoints(map, { id = 'points' } = {}) {
  map.addSource(id, { type: 'geojson', data: EMPTY });
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

export function setPoints(map, points, { id = 'points' } = {}) {
  const source = map.getSource(id);
  if (source) source.setData(pointsToGeoJson(points));
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
  return legend;
}
