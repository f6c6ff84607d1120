// Optional online OpenStreetMap raster background. Off by default: the app must work without
// Internet, and tiles are only requested once a user switches this on.
import config from '../../config.js';

const SOURCE = 'osm-raster';
const LAYER = 'osm-raster';

export function osmRasterAvailable() {
  return Array.isArray(config.osmRasterTiles) && config.osmRasterTiles.length > 0;
}

export function addOsmRaster(map) {
  if (!osmRasterAvailable() || map.getLayer(LAYER)) return;
  map.addSource(SOURCE, {
    type: 'raster',
    tiles: config.osmRasterTiles,
    tileSize: 256,
    maxzoom: 19,
    attribution: config.osmRasterAttribution,
  });
  map.addLayer({ id: LAYER, type: 'raster', source: SOURCE, layout: { visibility: 'none' }, paint: { 'raster-opacity': 0.85 } });
}

export function setOsmRasterVisible(map, visible) {
  if (!map.getLayer(LAYER)) return;
  map.setLayoutProperty(LAYER, 'visibility', visible ? 'visible' : 'none');
}
