#!/bin/sh
# Re-copy the vendored MapLibre GL JS files from node_modules into web/vendor/.
# The app is served as plain files with no build step, so the library is committed;
# run this after changing the pinned maplibre-gl version in package.json (npm ci first).
set -eu
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/node_modules/maplibre-gl"
dst="$here/vendor/maplibre-gl"
if [ ! -d "$src/dist" ]; then
  echo "vendor.sh: $src/dist not found; run 'npm ci' in $here first" >&2
  exit 1
fi
mkdir -p "$dst"
for f in maplibre-gl.mjs maplibre-gl-worker.mjs maplibre-gl.css; do
  cp "$src/dist/$f" "$dst/$f"
done
cp "$src/LICENSE.txt" "$dst/LICENSE.txt"
node -e "console.log(require('$src/package.json').version)" > "$dst/VERSION"
# index.html preloads the worker under the address MapLibre asks for it (…worker.mjs?v=<version>).
sed -i "s|maplibre-gl-worker.mjs?v=[^\"]*|maplibre-gl-worker.mjs?v=$(cat "$dst/VERSION")|" "$here/index.html"
echo "vendored maplibre-gl $(cat "$dst/VERSION") into $dst"
