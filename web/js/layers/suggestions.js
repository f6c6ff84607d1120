// Points proposed by the optimiser, shown dashed until the planner accepts them.
const EMPTY = { type: 'FeatureCollection', features: [] };

export function addSuggestions(map) {
  map.addSource('suggestions', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'suggestions-ring',
    type: 'circle',
    source: 'suggestions',
    paint: {
      'circle-radius': 11,
      'circle-color': 'rgba(255,255,255,0.6)',
      'circle-stroke-color': '#ef6c00',
      'circle-stroke-width': 3,
    },
  });
}

export function setSuggestions(map, points) {
  const source = map.getSource('suggestions');
  if (!source) return;
  source.setData({
    type: 'FeatureCollection',
    features: (points ?? []).map((p) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      properties: { id: p.id, name: p.name },
    })),
  });
}
