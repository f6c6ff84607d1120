// Isochrones of a saved scenario: the areas reachable within each band's minutes of any point
// (features with property `minutes`, widest first). The server sends each band dissolved and
// smoothed, small holes filled; here each band is a fill graded from dark (nearest) to light,
// under a thin edge, with a legend entry per band. The bands are the API's
// (`/api/v1/meta` `defaults.isochrone_minutes`), never a list of this file's own.
import { t } from '../i18n.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

/** Band colours, nearest band first: as many as the API's `max_isochrone_bands` (6). */
export const BAND_COLOURS = ['#3f007d', '#54278f', '#6a51a3', '#807dba', '#9e9ac8', '#bcbddc'];

/** The colour of band `i` of `n`, spread over the palette so three bands are still far apart. */
export function bandColour(i, n) {
  if (n <= 1) return BAND_COLOURS[0];
  const at = Math.round((i * (BAND_COLOURS.length - 1)) / (n - 1));
  return BAND_COLOURS[Math.min(at, BAND_COLOURS.length - 1)];
}

/** `[minutes, colour]` per band, ascending. */
export function bandColours(minutes) {
  const bands = [...new Set(minutes)].sort((a, b) => a - b);
  return bands.map((m, i) => [m, bandColour(i, bands.length)]);
}

function colourExpression(minutes) {
  const pairs = bandColours(minutes).flat();
  return pairs.length ? ['match', ['get', 'minutes'], ...pairs, BAND_COLOURS[BAND_COLOURS.length - 1]] : BAND_COLOURS[0];
}

export function addIsochrones(map) {
  map.addSource('isochrones', { type: 'geojson', data: EMPTY });
  // The nearest band drawn last, on top of the wider ones.
  map.addLayer({
    id: 'isochrones-fill',
    type: 'fill',
    source: 'isochrones',
    layout: { 'fill-sort-key': ['-', 0, ['get', 'minutes']] },
    paint: { 'fill-color': BAND_COLOURS[0], 'fill-opacity': 0.2, 'fill-antialias': true },
  });
  map.addLayer({
    id: 'isochrones-line',
    type: 'line',
    source: 'isochrones',
    layout: { 'line-join': 'round' },
    paint: { 'line-color': BAND_COLOURS[0], 'line-width': 1, 'line-opacity': 0.7 },
  });
}

/** Draws `collection` (null: nothing) with the colours of `minutes`, the bands asked for. */
export function setIsochrones(map, collection, { minutes = [] } = {}) {
  const source = map.getSource('isochrones');
  if (!source) return;
  const colours = colourExpression(minutes);
  map.setPaintProperty('isochrones-fill', 'fill-color', colours);
  map.setPaintProperty('isochrones-line', 'line-color', colours);
  source.setData(collection ?? EMPTY);
}

/** A legend element with one entry per band ("≤ 10 phút"), hidden until bands are drawn. */
export function isochroneLegend() {
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.dataset.testid = 'legend-isochrones';
  legend.hidden = true;
  return legend;
}

/** Fills `legend` with the bands of `minutes`; an empty list hides it. */
export function setIsochroneLegend(legend, minutes) {
  const bands = bandColours(minutes);
  legend.hidden = bands.length === 0;
  const title = document.createElement('div');
  title.className = 'legend-title';
  title.textContent = t('legend.isochrones');
  const rows = bands.map(([m, colour]) => {
    const row = document.createElement('span');
    row.className = 'legend-item';
    row.dataset.testid = 'legend-isochrone-band';
    row.dataset.minutes = String(m);
    const swatch = document.createElement('span');
    swatch.className = 'legend-swatch';
    swatch.style.background = colour;
    swatch.style.opacity = '0.75';
    row.append(swatch, document.createTextNode(t('legend.isochroneBand', { n: m })));
    return row;
  });
  legend.replaceChildren(...(rows.length ? [title, ...rows] : []));
}
