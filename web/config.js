// Deployment settings of the web app, kept apart from the code so a site can change them
// without touching the modules. The app works fully offline; the online background map below
// is only loaded when a user switches it on.
export default {
  // Raster tiles for the optional online background (off by default). Leave empty to hide the switch.
  osmRasterTiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'],
  osmRasterAttribution: '© OpenStreetMap contributors',
};
