#!/usr/bin/env bash
# The classroom hub in one command, as root, from a clone of the course that is built (npm ci):
#
#   sudo deploy/hub/setup.sh [JUPYTERHUB ARGUMENTS...]
#
# Installs Debian's JupyterHub 3.0, configurable-http-proxy from npm, and the learners' single-user
# environment (a venv over Debian's Python with JupyterLab 4 from pip) in $CROSS_ENTROPY_HUB_DIR
# (default /opt/cross-entropy-hub); puts the tslab kernelspec, the course's Lab settings and the
# server settings (deploy/hub/jupyter_server_config.py) into that venv's prefix; writes the token
# of the teacher's tools; then starts the hub with deploy/hub/jupyterhub_config.py (edit its three
# marked places first). Steps already done are skipped, so running it again just starts the hub.
set -euo pipefail
course=$(cd "$(dirname "$0")/../.." && pwd)
hub_dir=${CROSS_ENTROPY_HUB_DIR:-/opt/cross-entropy-hub}
export CROSS_ENTROPY_HUB_DIR=$hub_dir
say() { printf '==> %s\n' "$*"; }
die() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo): the hub starts each learner's server as that learner"
[ -f "$course/dist/index.js" ] && [ -x "$course/node_modules/tslab/bin/tslab" ] ||
  die "the course in $course is not built: run npm ci there first"

# Every learner's kernel runs the course's tslab and reads its dist/ and data/ as that learner.
if ! runuser -u nobody -- test -x "$course/node_modules/tslab/bin/tslab" -a -r "$course/dist/index.js"; then
  die "learners cannot read the course in $course (a folder on the way is not world-readable, e.g. /root): clone it to /srv or /opt"
fi

if ! command -v jupyterhub >/dev/null || ! /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
  say "Debian packages: jupyterhub (3.0), python3-venv"
  apt-get install -y -qq jupyterhub python3-venv >/dev/null
fi
say "JupyterHub $(jupyterhub --version)"

mkdir -p "$hub_dir"
chmod 755 "$hub_dir"
proxy=$hub_dir/proxy/node_modules/.bin/configurable-http-proxy
if [ ! -x "$proxy" ]; then
  say "configurable-http-proxy from npm into $hub_dir/proxy"
  npm install --prefix "$hub_dir/proxy" --no-audit --no-fund --silent configurable-http-proxy
fi
say "configurable-http-proxy $("$proxy" --version)"

venv=$hub_dir/venv
if ! "$venv/bin/python" -c 'import jupyterlab' 2>/dev/null; then
  say "the learners' environment: a venv over Debian's Python (its JupyterHub), JupyterLab 4 from pip"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  PIP_RETRIES=0 "$venv/bin/pip" install --quiet --disable-pip-version-check jupyterlab 2>&1 |
    grep -v "^WARNING: Location .* is ignored" || true
  "$venv/bin/python" -c 'import jupyterlab' || die "could not install JupyterLab into $venv"
fi
say "JupyterLab $("$venv/bin/python" -c 'import jupyterlab; print(jupyterlab.__version__)') in $venv"

say "the tslab kernelspec, the Lab settings and the server settings into $venv"
node "$course/dist/commands/kernelspec.js" --prefix "$venv"
install -m 644 "$course/deploy/hub/jupyter_server_config.py" "$venv/etc/jupyter/jupyter_server_config.py"

token=$hub_dir/teacher-tools.token
if [ ! -s "$token" ]; then
  (umask 077 && /usr/bin/python3 -c 'import secrets; print(secrets.token_hex(32))' >"$token")
fi

configured=$(/usr/bin/python3 -c 'import ast, sys
for node in ast.parse(open(sys.argv[1]).read()).body:
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COURSE": print(ast.literal_eval(node.value))' \
  "$course/deploy/hub/jupyterhub_config.py")
[ "$(readlink -f "$configured" 2>/dev/null)" = "$course" ] ||
  say "note: jupyterhub_config.py has COURSE = $configured, not this checkout ($course)"

say "starting the hub (stop it with Ctrl-C)"
cd "$hub_dir"
exec jupyterhub -f "${CROSS_ENTROPY_HUB_CONFIG:-$course/deploy/hub/jupyterhub_config.py}" "$@"
