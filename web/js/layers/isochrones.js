// Isochrones of a saved scenario: the areas reachable within 10, 20 and 30 minutes of any point
// (features with property `minutes`), drawn as outlines over the coverage cells.
const EMPTY = { type: 'FeatureCollection', features: [] };

export const ISOCHRONE_MINUTES = [10, 20, 30];

export function addIsochrones(map) {
  map.addSource('isochrones', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'isochrones-line',
    type: 'line',
    source: 'isochrones',
    paint: {
      'line-color': ['step', ['get', 'minutes'], '#0b3d2e', 11, '#1d6b4f', 21, '#4a3b8f'],
      'line-width': ['step', ['get', 'minutes'], 1.6, 11, 1.3, 21, 1.1],
      'line-opacity': 0.75,
    },
  });
}

export function setIsochrones(map, collection) {
  const source = map.getSource('isochrones');
  if (source) source.setData(collection ?? EMPTY);
}
