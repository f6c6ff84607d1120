// The starting place a citizen chose (search result, map tap or device location).
const EMPTY = { type: 'FeatureCollection', features: [] };

export function addOrigin(map) {
  map.addSource('origin', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'origin-halo',
    type: 'circle',
    source: 'origin',
    paint: { 'circle-radius': 14, 'circle-color': '#d81b60', 'circle-opacity': 0.18 },
  });
  map.addLayer({
    id: 'origin-dot',
    type: 'circle',
    source: 'origin',
    paint: { 'circle-radius': 7, 'circle-color': '#d81b60', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2.5 },
  });
}

export function setOrigin(map, position) {
  const source = map.getSource('origin');
  if (!source) return;
  source.setData(
    position
      ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: position }, properties: {} }] }
      : EMPTY,
  );
}
