#!/usr/bin/env bash
# `npm run image:test`: builds the course image (the Dockerfile, unchanged) with podman and checks
# it in containers: the TypeScript kernel, the Lab settings, notebooks 01 and 10 executed as the
# learner, no solutions in the learner's home, jupyterhub-singleuser serving JupyterLab 4, Lab on
# port 8888, and the size against its budget. Ends with "N passed, N failed".
#
#   bash deploy/image/test.sh            # build (reusing podman's layer cache) and check
#   bash deploy/image/test.sh --readme   # ... and write the measured size into README.md
#
# Needs root, podman and runc (and mmdebstrap when the base image has to be made: base.sh).
# The build sees the machine's own registry set-up only through mounts made here: pip's
# configuration as `pip config list` reports it, with the local folders it names, and the
# certificate authority that pip and npm trust. Nothing of it goes into the Dockerfile or image.
set -uo pipefail
cd "$(dirname "$0")/../.."
here=deploy/image
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/$here/containers.conf}
export IMAGE=${COURSE_IMAGE:-localhost/cross-entropy-course:test}
BUDGET_MB=750        # podman image inspect's Size, in MB of 10^6 bytes
README_MARGIN_MB=10  # how far the README's figure may be from the measured size
PORT=${COURSE_IMAGE_PORT:-18888}
started=$SECONDS
passed=0
failed=0
check() { # check NAME COMMAND...: runs the command, counts and prints the result
  local name=$1; shift
  local out; out=$("$@" 2>&1); local rc=$?
  if [ $rc -eq 0 ]; then passed=$((passed + 1)); echo "ok   $name"
  else failed=$((failed + 1)); echo "FAIL $name"; printf '%s\n' "$out" | tail -25 | sed 's/^/     /'; fi
}
finish() { echo; echo "image test: $((SECONDS - started)) s"; echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

bash "$here/base.sh" || { failed=$((failed + 1)); echo "FAIL the base image"; finish; }

# --- the machine's registry set-up, for the build only
setup=$(mktemp -d)
trap 'rm -rf "$setup"; podman rm -f course-image-lab-$PORT >/dev/null 2>&1' EXIT
ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
mounts=()
[ -f "$ca" ] && mounts+=(-v "$ca:/run/host-ca.crt:ro")
# pip: every `pip config list` entry (its files' and its PIP_* variables') in one [global]
# section, retries = 0 (an unreachable index fails at once), and each local folder it names
# mounted read-only at the same path. The CA file moves to /run/host-ca.crt: the image's own
# /etc/ssl/certs is rewritten by its ca-certificates package during the build.
{ pip config list || python3 -m pip config list || /usr/bin/python3 -m pip config list; } 2>/dev/null | node -e '
  const fs = require("node:fs");
  const [out, ca] = process.argv.slice(1);
  const settings = new Map();
  for (const line of fs.readFileSync(0, "utf8").split("\n")) {
    const m = /^([^.]+)\.([^=]+)=\x27(.*)\x27$/.exec(line);
    if (m && m[1] !== "install") settings.set(m[2], m[3]);
  }
  settings.set("retries", "0");
  if (settings.has("cert")) settings.set("cert", "/run/host-ca.crt");
  const paths = new Set();
  for (const [key, value] of settings)
    for (const token of value.split(/\s+/)) {
      // A local index (file://.../simple) links to files beside it (../../files): its parent.
      const local = token.startsWith("file://");
      let p = token.replace(/^file:\/\//, "").replace(/\/+$/, "");
      if (local && /index-url$/.test(key)) p = require("node:path").dirname(p);
      if (p.startsWith("/") && p !== "/run/host-ca.crt" && fs.existsSync(p)) paths.add(p);
    }
  fs.writeFileSync(`${out}/pip.conf`, "[global]\n" + [...settings].map(([k, v]) => `${k} = ${v}`).join("\n") + "\n");
  fs.writeFileSync(`${out}/paths`, [...paths].join("\n") + "\n");
' "$setup"
mounts+=(-v "$setup/pip.conf:/etc/pip.conf:ro")
while read -r p; do [ -n "$p" ] && mounts+=(-v "$p:$p:ro"); done <"$setup/paths"
# npm: the registry this machine uses, and the CA (npm's global config file in the image's prefix).
{ echo "registry=$(npm config get registry)"; [ -f "$ca" ] && echo "cafile=/run/host-ca.crt"; } >"$setup/npmrc"
mounts+=(-v "$setup/npmrc:/usr/local/etc/npmrc:ro")

echo "==> podman build -t $IMAGE . (mounts: ${mounts[*]})"
build_started=$SECONDS
if podman build --network=host "${mounts[@]}" -t "$IMAGE" . >"$setup/build.log" 2>&1; then
  passed=$((passed + 1)); echo "ok   the image builds ($((SECONDS - build_started)) s)"
else
  failed=$((failed + 1)); echo "FAIL the image builds"; tail -40 "$setup/build.log"; finish
fi
run() { podman run --rm --network=none "$IMAGE" "$@"; }

# --- the learner's side
check "the TypeScript kernel is in the image's Jupyter prefix (jupyter kernelspec list)" \
  bash -c 'out=$(podman run --rm --network=none "$IMAGE" jupyter kernelspec list) && echo "$out" && grep -Eq "^ *tslab +/opt/venv/share/jupyter/kernels/tslab\$" <<<"$out"'
check "the learner is UID 1000, HOME=/home/\$NB_USER, owning every file there" \
  run bash -c 'test "$(id -u)" = 1000 && test "$NB_UID" = 1000 && test "$HOME" = "/home/$NB_USER" && others=$(find "$HOME" ! -user 1000 | head) && test -z "$others" || { id; echo "HOME=$HOME"; echo "not the learner'"'"'s: $others"; exit 1; }'
course_count=$(ls notebooks/*.ipynb | wc -l) # as many as the checkout has
check "the learner's home has the notebooks and no solutions" \
  run bash -c 'ls ~/notebooks/*.ipynb | wc -l | grep -qx '"$course_count"' && found=$(find ~ -path ~/node_modules -prune -o -iname "*solution*" -print) && test -z "$found" || { ls ~/notebooks; echo "found: $found"; exit 1; }'
# Notebook 10 runs in the image's own home (Binder, a plain `podman run`), 01 in a home on a
# volume (Zero to JupyterHub), below.
execute() { # execute NOTEBOOK: as the learner, headless, and the output has a table or chart
  echo "test \"\$(id -u)\" = 1000 && jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 --output-dir /tmp notebooks/$1.ipynb && grep -q '\"output_type\": \"display_data\"' /tmp/$1.ipynb"
}
check "notebook 10-training-on-digits executes headless as the learner (nbconvert --execute, tslab)" \
  run bash -c "$(execute 10-training-on-digits)"

# --- a home on a volume, as Zero to JupyterHub mounts each learner's persistent volume over
# /home/jovyan: new, it is empty and the learner's (fsGroup), and it hides what the image put
# there. A fresh host folder owned by UID 1000 stands for it (a podman named volume would not:
# podman copies the image's files into an empty named volume, Kubernetes does not). The command
# is Zero to JupyterHub's `singleuser.cmd`, given to the image as its arguments, as KubeSpawner does.
volumes=$setup/volumes
mkdir -m 755 "$volumes"
new_home() { local d; d=$(mktemp -d -p "$volumes") && chmod 755 "$d" && chown "${2:-1000:1000}" "$d" && eval "$1=\$d"; }
on_volume() { local d=$1; shift; podman run --rm --network=none -v "$d:/home/jovyan" "$IMAGE" "$@"; }
learner_notebooks=$(cd notebooks && ls ./*.ipynb | sort | tr '\n' ' ')
home_has_course() { # home_has_course DIR: the course's notebooks as in the checkout, links, no solutions, all UID 1000
  local d=$1 listed solutions others links
  listed=$(cd "$d/notebooks" 2>/dev/null && ls ./*.ipynb | sort | tr '\n' ' ')
  solutions=$(find "$d" -iname '*solution*')
  others=$(find "$d" ! -user 1000 ! -path "$d")
  links=$(for f in package.json dist node_modules data; do printf '%s ' "$(readlink "$d/$f")"; done)
  echo "notebooks: ${listed:-none}"; echo "solutions: ${solutions:-none}"; echo "not UID 1000's: ${others:-none}"; echo "links: $links"
  [ "$listed" = "$learner_notebooks" ] && [ -z "$solutions" ] && [ -z "$others" ] &&
    [ "$links" = "/opt/course/package.json /opt/course/dist /opt/course/node_modules /opt/course/data " ] &&
    diff -r -x solutions -x .ipynb_checkpoints notebooks "$d/notebooks"
}
export -f on_volume home_has_course; export IMAGE learner_notebooks
new_home z2jh
check "an empty home volume gets the course at start (jupyterhub-singleuser --version): the notebooks, no solutions, UID 1000's" \
  bash -c 'on_volume "$1" jupyterhub-singleuser --version && home_has_course "$1"' _ "$z2jh"
check "notebook 01-logits executes headless as the learner in that home (nbconvert --execute, tslab)" \
  on_volume "$z2jh" bash -c "$(execute 01-logits)"
# The learner edits notebook 01 and deletes 02; the server starts again.
learner_edit='{"cells": [], "metadata": {"learner": "edited"}, "nbformat": 4, "nbformat_minor": 5}'
check "a second start keeps the learner's edited notebook, and brings back the deleted one" bash -c '
  on_volume "$1" bash -c "printf %s \"\$0\" >notebooks/01-logits.ipynb && rm notebooks/02-softmax.ipynb" "$2" &&
  on_volume "$1" jupyterhub-singleuser --version || exit 1
  echo "01-logits.ipynb: $(cat "$1/notebooks/01-logits.ipynb")"
  [ "$(cat "$1/notebooks/01-logits.ipynb")" = "$2" ] && cmp notebooks/02-softmax.ipynb "$1/notebooks/02-softmax.ipynb" &&
    test -z "$(find "$1" ! -user 1000)"' _ "$z2jh" "$learner_edit"
new_home as_root
check "started as root (podman run --user 0), the home it gives is still UID 1000's" \
  bash -c 'podman run --rm --network=none --user 0 -v "$1:/home/jovyan" "$IMAGE" true && home_has_course "$1"' _ "$as_root"
new_home not_writable 0:0
check "a home the learner cannot write stops the start with a message that says so" bash -c '
  out=$(on_volume "$1" jupyterhub-singleuser --version 2>&1); rc=$?; echo "exit $rc: $out"
  [ $rc -ne 0 ] && grep -q "course-entrypoint: cannot give /home/jovyan the course" <<<"$out" && grep -q "must be writable by UID 1000" <<<"$out"' _ "$not_writable"

# --- JupyterHub's single-user server: runs, and serves JupyterLab 4 on jupyter_server 2 under a
# hub's environment (the hub's address unreachable here: it only warns about that).
check "jupyterhub-singleuser --version runs" run jupyterhub-singleuser --version
check "jupyterhub-singleuser starts JupyterLab 4 on jupyter_server 2" \
  podman run --rm --network=none -e JUPYTERHUB_API_TOKEN=image-test -e JUPYTERHUB_CLIENT_ID=jupyterhub-user-learner \
    -e JUPYTERHUB_USER=learner -e JUPYTERHUB_SERVICE_PREFIX=/user/learner/ -e JUPYTERHUB_API_URL=http://127.0.0.1:9/hub/api \
    -e JUPYTERHUB_OAUTH_CALLBACK_URL=/user/learner/oauth_callback -e JUPYTERHUB_BASE_URL=/ "$IMAGE" bash -c '
      jupyterhub-singleuser --ip=127.0.0.1 --port=8888 >/tmp/log 2>&1 & for i in $(seq 60); do
        status=$(python3 -c "import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:8888/user/learner/api\").read().decode())" 2>/dev/null) && break; sleep 1; done
      cat /tmp/log; echo "api: $status"; kill %1
      grep -q "from jupyterlab 4\." /tmp/log && grep -q "from jupyter_server 2\." /tmp/log && grep -q "\"version\": \"2\." <<<"$status"'

# --- JupyterLab on port 8888, as the image's default command starts it, with the course's settings
podman rm -f course-image-lab-$PORT >/dev/null 2>&1
podman run -d --name course-image-lab-$PORT -p "127.0.0.1:$PORT:8888" -e JUPYTER_TOKEN=image-test "$IMAGE" >/dev/null
lab_get() { curl -sf -H "Authorization: token image-test" "http://127.0.0.1:$PORT$1"; }
for _ in $(seq 60); do lab_get /api/status >/dev/null && break; sleep 1; done
check "JupyterLab answers on 8888 (the default command, port published to 127.0.0.1:$PORT)" \
  bash -c "curl -sf -H 'Authorization: token image-test' http://127.0.0.1:$PORT/lab/tree/notebooks | grep -q 'jupyter-config-data'"
check "Lab applies the course's settings: debugger off (page config)" \
  bash -c "curl -sf -H 'Authorization: token image-test' http://127.0.0.1:$PORT/lab | grep -o '\"disabledExtensions\": *\[[^]]*\]' | grep -q '@jupyterlab/debugger-extension'"
# Lab applies its overrides as the settings schemas' defaults (the `settings` part holds only what
# a user set): stock Lab 4.6 asks about news ("none") and leaves code lines unwrapped (false).
check "Lab applies the course's settings: news off, long lines wrapped (settings API)" node -e '
  const get = async (id) => (await fetch(`http://127.0.0.1:${process.argv[1]}/lab/api/settings/${id}`,
    { headers: { Authorization: "token image-test" } })).json();
  (async () => {
    const news = (await get("@jupyterlab/apputils-extension:notification")).schema.properties;
    const tracker = (await get("@jupyterlab/notebook-extension:tracker")).schema.properties;
    const seen = { fetchNews: news.fetchNews.default, checkForUpdates: news.checkForUpdates.default,
      lineWrap: tracker.codeCellConfig.default.lineWrap };
    console.log(JSON.stringify(seen));
    process.exit(seen.fetchNews === "false" && seen.checkForUpdates === false && seen.lineWrap === true ? 0 : 1);
  })().catch((e) => { console.error(e); process.exit(1); });
' "$PORT"
podman logs course-image-lab-$PORT 2>&1 | grep -E 'ERROR|Traceback' | head -5
podman rm -f course-image-lab-$PORT >/dev/null

# --- the size
size_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
size_mb=$(node -e 'console.log((Number(process.argv[1]) / 1e6).toFixed(0))' "$size_bytes")
echo "image size: $size_mb MB ($size_bytes bytes) of a $BUDGET_MB MB budget"
check "the image is at most $BUDGET_MB MB ($size_mb MB)" test "$size_bytes" -le $((BUDGET_MB * 1000000))
if [ "${1:-}" = "--readme" ]; then
  node -e '
    const fs = require("node:fs");
    const { replaceReadmeBlock } = require("./dist/commands/shared/readmeBlock");
    const [mb, budget, base] = process.argv.slice(1);
    const block = `Written by \`npm run image:test -- --readme\`: the image is **${mb} MB** ` +
      `(\`podman image inspect --format "{{.Size}}"\`; budget ${budget} MB), of which the base image is ${base} MB.`;
    fs.writeFileSync("README.md", replaceReadmeBlock(fs.readFileSync("README.md", "utf8"), "image-size", block));
  ' "$size_mb" "$BUDGET_MB" "$(podman image inspect --format '{{.Size}}' docker.io/library/node:24-bookworm-slim | node -e 'console.log((Number(require("fs").readFileSync(0, "utf8")) / 1e6).toFixed(0))')"
  echo "wrote the image-size block of README.md"
fi
check "the README's image size is the measured one, within $README_MARGIN_MB MB" node -e '
  const { readReadmeBlock } = require("./dist/commands/shared/readmeBlock");
  const block = readReadmeBlock(require("node:fs").readFileSync("README.md", "utf8"), "image-size") ?? "";
  const written = Number((/\*\*(\d+) MB\*\*/.exec(block) ?? [])[1]);
  console.log(`README: ${written} MB, measured: ${process.argv[1]} MB`);
  process.exit(Math.abs(written - Number(process.argv[1])) <= Number(process.argv[2]) ? 0 : 1);
' "$size_mb" "$README_MARGIN_MB"
finish
