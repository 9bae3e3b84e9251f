#!/usr/bin/env bash
# Copy the YASGUI build (npm package @zazuko/yasgui, pinned in package.json) into lod/static/yasgui/,
# so that the query page loads nothing from other servers. Run after `npm ci`; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/@zazuko/yasgui
dest=lod/static/yasgui
if [[ ! -f $src/build/yasgui.min.js ]]; then
  echo "vendor_yasgui: $src/build not found; run 'npm ci' (or 'npm install') first" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$src/build/yasgui.min.js" "$src/build/yasgui.min.css" "$dest/"
version=$(node -p "require('./$src/package.json').version")
license=$(node -p "require('./$src/package.json').license")
printf '@zazuko/yasgui %s (%s licence, https://github.com/zazuko/Yasgui), build/yasgui.min.{js,css} as published on npm\n' \
  "$version" "$license" > "$dest/VERSION"
echo "vendor_yasgui: copied @zazuko/yasgui $version into $dest"
