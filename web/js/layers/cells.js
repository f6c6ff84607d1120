// Coverage cells (H3 hexagons from a CoverageResult with `cells=true`), coloured by travel time
// to the nearest receiving point; uncovered cells are highlighted and cells the data cannot
// decide (status `unknown`, no road data) are grey, never shown as covered or uncovered.
import { t } from '../i18n.js';
import { BASEMAP_TOP } from './basemap.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

export const TRAVEL_COLOURS = [
  { upto_min: 10, colour: '#1a7f4b' },
  { upto_min: 20, colour: '#5cae5a' },
  { upto_min: 30, colour: '#b7d96b' },
  { upto_min: null, colour: '#f2d16b' },
];
export const UNCOVERED_COLOUR = '#d7301f';
export const UNKNOWN_COLOUR = '#a8a8a8';

function fillColour() {
  return [
    'match',
    ['get', 'status'],
    'uncovered',
    UNCOVERED_COLOUR,
    'unknown',
    UNKNOWN_COLOUR,
    [
      'case',
      ['==', ['get', 'travel_s'], null],
      TRAVEL_COLOURS[3].colour,
      ['step', ['get', 'travel_s'], TRAVEL_COLOURS[0].colour, 600, TRAVEL_COLOURS[1].colour, 1200, TRAVEL_COLOURS[2].colour, 1800, TRAVEL_COLOURS[3].colour],
    ],
  ];
}

export function addCells(map, { id = 'cells' } = {}) {
  map.addSource(id, { type: 'geojson', data: EMPTY });
  const before = map.getLayer(BASEMAP_TOP) ? BASEMAP_TOP : undefined;
  map.addLayer(
    {
      id: `${id}-fill`,
      type: 'fill',
      source: id,
      paint: {
        'fill-color': fillColour(),
        'fill-opacity': ['match', ['get', 'status'], 'uncovered', 0.72, 'unknown', 0.35, 0.55],
      },
    },
    before,
  );
  map.addLayer(
    {
      id: `${id}-uncovered`,
      type: 'line',
      source: id,
      filter: ['==', ['get', 'status'], 'uncovered'],
      paint: { 'line-color': '#8b1a10', 'line-width': 1.2 },
    },
    before,
  );
  // A point's catchment, drawn when the point is selected.
  map.addLayer(
    {
      id: `${id}-catchment`,
      type: 'line',
      source: id,
      filter: ['==', ['get', 'catchment_point_id'], ''],
      paint: { 'line-color': '#1b3a8c', 'line-width': 1.6 },
    },
    before,
  );
}

/** Outlines the cells whose residents `pointId` serves (`catchment_point_id`); null: none. */
export function setCatchment(map, pointId, { id = 'cells' } = {}) {
  if (map.getLayer(`${id}-catchment`)) map.setFilter(`${id}-catchment`, ['==', ['get', 'catchment_point_id'], pointId ?? '']);
}

export function setCells(map, cells, { id = 'cells' } = {}) {
  const source = map.getSource(id);
  if (source) source.setData(cells ?? EMPTY);
}

/** A legend element for the cell colours. */
export function cellsLegend() {
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.setAttribute('aria-label', t('map.legend'));
  const title = document.createElement('div');
  title.className = 'legend-title';
  title.textContent = t('legend.travel');
  legend.append(title);
  const labels = ['≤ 10', '10–20', '20–30', '> 30'];
  const items = [
    ...TRAVEL_COLOURS.map((c, i) => [c.colour, t('unit.min', { n: labels[i] })]),
    [UNCOVERED_COLOUR, t('legend.uncovered')],
    [UNKNOWN_COLOUR, t('legend.unknown')],
  ];
  for (const [colour, label] of items) {
    const row = document.createElement('span');
    row.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'legend-swatch';
    swatch.style.background = colour;
    row.append(swatch, document.createTextNode(label));
    legend.append(row);
  }
  return legend;
}
