// Routes from the starting place to the nearest receiving points; the chosen one is drawn bold.
const EMPTY = { type: 'FeatureCollection', features: [] };

export function addRoutes(map) {
  map.addSource('routes', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'routes-other',
    type: 'line',
    source: 'routes',
    filter: ['!', ['get', 'selected']],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#5c6bc0', 'line-width': 3, 'line-opacity': 0.45, 'line-dasharray': [1.5, 1.5] },
  });
  map.addLayer({
    id: 'routes-casing',
    type: 'line',
    source: 'routes',
    filter: ['get', 'selected'],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#ffffff', 'line-width': 8 },
  });
  map.addLayer({
    id: 'routes-selected',
    type: 'line',
    source: 'routes',
    filter: ['get', 'selected'],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#283593', 'line-width': 5 },
  });
}

/** Draw the routes of nearest `results`; returns how many routes were drawn. */
export function setRoutes(map, results, selectedIndex = 0) {
  const features = results
    .map((r, i) =>
      r.route && Array.isArray(r.route.coordinates) && r.route.coordinates.length > 1
        ? { type: 'Feature', geometry: r.route, properties: { rank: i + 1, selected: i === selectedIndex } }
        : null,
    )
    .filter(Boolean);
  // The chosen route goes last so it is drawn above the others.
  features.sort((a, b) => Number(a.properties.selected) - Number(b.properties.selected));
  const source = map.getSource('routes');
  if (source) source.setData({ type: 'FeatureCollection', features });
  return features.length;
}
