// The difference of two coverage maps on the same cells: where B covers people A leaves out
// (green), where B loses people A covers (red); unchanged cells are drawn faint. Cells carry
// `change` ('gain', 'loss', 'same') set by the comparison.
import { t } from '../i18n.js';
import { BASEMAP_TOP } from './basemap.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
export const CHANGE_COLOURS = { gain: '#1a9641', loss: '#d7191c', same: '#bdbdbd' };

export function addDifference(map, { id = 'difference' } = {}) {
  map.addSource(id, { type: 'geojson', data: EMPTY });
  const before = map.getLayer(BASEMAP_TOP) ? BASEMAP_TOP : undefined;
  map.addLayer(
    {
      id: `${id}-fill`,
      type: 'fill',
      source: id,
      paint: {
        'fill-color': ['match', ['get', 'change'], 'gain', CHANGE_COLOURS.gain, 'loss', CHANGE_COLOURS.loss, CHANGE_COLOURS.same],
        'fill-opacity': ['match', ['get', 'change'], 'same', 0.18, 0.8],
      },
    },
    before,
  );
}

export function setDifference(map, cells, { id = 'difference' } = {}) {
  map.getSource(id)?.setData(cells ?? EMPTY);
}

/** Cells of A and B (the same grid, in the same order) with `change` from A to B. */
export function differenceCells(cellsA, cellsB) {
  const b = cellsB.features;
  const features = cellsA.features.map((f, i) => {
    const was = f.properties.status === 'covered';
    const now = b[i]?.properties.status === 'covered';
    const change = was === now ? 'same' : now ? 'gain' : 'loss';
    return { type: 'Feature', id: i, geometry: f.geometry, properties: { change, population: f.properties.population, ward: f.properties.ward } };
  });
  return { type: 'FeatureCollection', features };
}

export function differenceLegend() {
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.dataset.testid = 'difference-legend';
  for (const change of ['gain', 'loss', 'same']) {
    const row = document.createElement('span');
    row.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'legend-swatch';
    swatch.style.background = CHANGE_COLOURS[change];
    row.append(swatch, document.createTextNode(t(`legend.change.${change}`)));
    legend.append(row);
  }
  return legend;
}
