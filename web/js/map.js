// One MapLibre map with the project's own basemap (roads and ward polygons served by motcua),
// the always-visible OpenStreetMap attribution and the switch for the optional online background.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { getMeta } from './api.js';
import { t } from './i18n.js';
import { addOsmRaster, osmRasterAvailable, setOsmRasterVisible } from './layers/osm-raster.js';
import { addBasemap } from './layers/basemap.js';

export { maplibregl };

/** Maps on the page by name, so the browser tests can turn a place into a pixel to click. */
const registry = (window.motcua ??= { maps: {} });

const FALLBACK_ATTRIBUTION = '© OpenStreetMap contributors, ODbL 1.0';

/** How long the online background may take before the map says it cannot load. */
const OSM_TILE_PATIENCE_MS = 8000;

class OsmToggleControl {
  onAdd(map) {
    this.container = document.createElement('div');
    this.container.className = 'maplibregl-ctrl maplibregl-ctrl-group osm-toggle';
    const label = document.createElement('label');
    label.title = t('map.osmToggleHint');
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.dataset.testid = 'osm-toggle';
    // Offline (the usual case here) the tiles fail: say so instead of showing nothing.
    const status = document.createElement('p');
    status.className = 'osm-status';
    status.dataset.testid = 'osm-status';
    status.setAttribute('role', 'status');
    status.hidden = true;
    let loaded = false;
    let timer = null;
    const fail = () => {
      if (!input.checked || loaded) return;
      status.textContent = t('map.osmOffline');
      status.hidden = false;
    };
    map.on('error', (e) => {
      if (e.sourceId === 'osm-raster') fail();
    });
    map.on('sourcedata', (e) => {
      if (e.sourceId === 'osm-raster' && e.tile && e.tile.state === 'loaded') {
        loaded = true;
        status.hidden = true;
      }
    });
    input.addEventListener('change', () => {
      setOsmRasterVisible(map, input.checked);
      clearTimeout(timer);
      if (!input.checked) status.hidden = true;
      else timer = setTimeout(fail, OSM_TILE_PATIENCE_MS);
    });
    label.append(input, document.createTextNode(` ${t('map.osmToggle')}`));
    this.container.append(label, status);
    return this.container;
  }
  onRemove() {
    this.container.remove();
  }
}

/**
 * Create a map in `container` framed on the study area and resolve once the basemap is drawn.
 * `name` registers it for tests; `compact` drops the controls for the small comparison maps.
 */
export async function createMap(container, { name = 'main', compact = false } = {}) {
  let meta = null;
  try {
    meta = await getMeta();
  } catch {
    meta = null;
  }
  const bbox = meta?.area?.bbox;
  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f3f1ec' } }],
    },
    bounds: bbox ? [[bbox[0], bbox[1]], [bbox[2], bbox[3]]] : undefined,
    center: bbox ? undefined : meta?.area?.center ?? [105.83, 21.03],
    zoom: bbox ? undefined : 11,
    fitBoundsOptions: { padding: 8 },
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    maxPitch: 0,
    preserveDrawingBuffer: true,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(
    new maplibregl.AttributionControl({ compact: false, customAttribution: meta?.area?.attribution ?? FALLBACK_ATTRIBUTION }),
    'bottom-right',
  );
  if (!compact) {
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    if (osmRasterAvailable()) map.addControl(new OsmToggleControl(), 'top-left');
  }
  container.setAttribute('role', 'region');
  container.setAttribute('aria-label', t('map.label'));
  registry.maps[name] = map;
  map.on('remove', () => {
    if (registry.maps[name] === map) delete registry.maps[name];
  });

  await new Promise((resolve) => {
    if (map.loaded()) resolve();
    else map.once('load', resolve);
  });
  addOsmRaster(map);
  await addBasemap(map);
  container.dataset.ready = 'true';
  return map;
}

/** Fly to a place: a bbox when the search result has one, otherwise a point at street zoom. */
export function focusPlace(map, { lon, lat, bbox }) {
  if (bbox) map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: 40, maxZoom: 15, duration: 600 });
  else map.easeTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 14), duration: 600 });
}

/** Frame a set of [lon, lat] positions. */
export function fitPositions(map, positions, { padding = 48, maxZoom = 16 } = {}) {
  if (!positions.length) return;
  const bounds = new maplibregl.LngLatBounds(positions[0], positions[0]);
  for (const p of positions) bounds.extend(p);
  map.fitBounds(bounds, { padding, maxZoom, duration: 600 });
}
