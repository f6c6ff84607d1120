// Coverage cells (H3 hexagons from a CoverageResult with `cells=true`), coloured by travel time
// to the nearest receiving point; uncovered cells are highlighted and cells the data cannot
// decide (status `unknown`, no road data) are grey, never shown as covered or uncovered.
import { getCellGrid } from '../api.js';
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
  // A point's catchment (whom it serves: its reach), drawn when the point is selected.
  map.addLayer(
    {
      id: `${id}-catchment-fill`,
      type: 'fill',
      source: id,
      filter: ['==', ['get', 'catchment_point_id'], ''],
      paint: { 'fill-color': '#3559c7', 'fill-opacity': 0.35 },
    },
    before,
  );
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
  for (const layer of [`${id}-catchment`, `${id}-catchment-fill`]) {
    if (map.getLayer(layer)) map.setFilter(layer, ['==', ['get', 'catchment_point_id'], pointId ?? '']);
  }
}

const STATUS_OF_LETTER = { c: 'covered', u: 'uncovered', n: 'unknown' };

/**
 * The grid of `/api/v1/basemap/cells` decoded once per page: each cell's closed ring in
 * degrees. Its rings are delta-encoded twice (see the server's `coverage::compact`): the first
 * vertex against the previous cell's, each step against the previous cell's same step.
 */
function decodeGrid(grid) {
  const rings = [];
  let at = 0;
  let first = [0, 0];
  let steps = [];
  for (const size of grid.sizes) {
    if (size === 0) {
      rings.push([]);
      continue;
    }
    const f = [first[0] + grid.rings[at], first[1] + grid.rings[at + 1]];
    at += 2;
    const ring = [f];
    const next = [];
    for (let k = 0; k < size - 1; k += 1) {
      const before = steps[k] ?? [0, 0];
      const step = [before[0] + grid.rings[at], before[1] + grid.rings[at + 1]];
      at += 2;
      const last = ring[ring.length - 1];
      ring.push([last[0] + step[0], last[1] + step[1]]);
      next.push(step);
    }
    ring.push(f);
    rings.push(ring.map(([x, y]) => [x / grid.scale, y / grid.scale]));
    first = f;
    steps = next;
  }
  return {
    id: grid.grid_id,
    geometries: rings.map((ring) => ({ type: 'Polygon', coordinates: [ring] })),
    h3: grid.h3,
    population: grid.population,
    ward: grid.ward.map((w) => (w === null ? null : grid.wards[w])),
  };
}

let decoded = null;
async function cellGrid() {
  decoded ??= getCellGrid().then(decodeGrid).catch((err) => {
    decoded = null;
    throw err;
  });
  return decoded;
}

/**
 * An evaluation's `cell_columns` joined to the cell grid, as the GeoJSON the layers draw
 * (the properties the GeoJSON form of the server carries that the maps read).
 */
export async function cellsFromColumns(columns) {
  if (!columns) return EMPTY;
  const grid = await cellGrid();
  if (grid.id !== columns.grid_id) throw new Error(`cell grid ${grid.id} does not match the answer's ${columns.grid_id}`);
  const features = grid.geometries.map((geometry, i) => ({
    type: 'Feature',
    id: i,
    geometry,
    properties: {
      h3: grid.h3[i],
      population: grid.population[i],
      ward: grid.ward[i],
      status: STATUS_OF_LETTER[columns.status[i]] ?? 'unknown',
      travel_s: columns.travel_s[i],
      catchment_point_id: columns.catchment[i] === null ? null : columns.point_ids[columns.catchment[i]],
    },
  }));
  return { type: 'FeatureCollection', features };
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
