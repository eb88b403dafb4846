#!/bin/sh
# The course image's ENTRYPOINT (/usr/local/bin/course-entrypoint): gives the learner's home the
# course, then runs the container's command (`exec "$@"`).
#
# The course itself lives in /opt/course, where no volume goes. A home that a volume hides, as
# Zero to JupyterHub's persistent storage does at /home/jovyan, starts empty; this copies the
# notebooks into it (without solutions/, which the image's /opt/course only has when built with
# SOLUTIONS=yes) and links package.json, dist/, node_modules/ and data/ to /opt/course, so that
# `import ... from ".."` in a notebook finds the module. It runs at every start:
# - a file already in the home is never overwritten (cp -n): a learner's edits stay;
# - a notebook missing from the home is copied again: deleting one and restarting the server
#   resets it, and notebooks added to a newer image reach existing homes.
# Under Zero to JupyterHub this still runs: KubeSpawner passes `singleuser.cmd` and its arguments
# as the container's `args`, never as its `command`, so the image's ENTRYPOINT stays in front
# (jupyterhub/kubespawner, kubespawner/objects.py, make_pod: `V1Container(..., args=cmd, ...)`;
# the same in KubeSpawner 4, 6 and 7, i.e. Zero to JupyterHub 2, 3 and 4). Binder's pods are
# made by KubeSpawner too, and repo2docker's own `docker run` replaces only the command
# (jupyterhub/repo2docker, repo2docker/app.py, start_container: `command=run_cmd`).
set -eu
course=/opt/course
home=${HOME:-/home/${NB_USER:-jovyan}}
uid=${NB_UID:-1000}

fail() {
  echo "course-entrypoint: cannot give $home the course from $course: $1" >&2
  echo "course-entrypoint: $home must be writable by UID $(id -u) (ls -ldn: $(ls -ldn "$home" 2>&1))" >&2
  exit 1
}

[ -d "$home" ] || mkdir -p "$home" || fail "mkdir failed"
# Debian 12's cp (coreutils 9.1) exits 0 when -n skips a file that is there.
cp -Rn "$course/notebooks" "$home/" || fail "cp -Rn $course/notebooks failed"
for name in package.json dist node_modules data; do
  if [ ! -e "$home/$name" ] && [ ! -L "$home/$name" ]; then
    ln -s "$course/$name" "$home/$name" || fail "ln -s $course/$name failed"
  fi
done
# Started as root (`podman run --user 0`): what was copied becomes the learner's.
if [ "$(id -u)" = 0 ]; then
  chown -R "$uid:$uid" "$home/notebooks" || fail "chown failed"
  for name in package.json dist node_modules data; do chown -h "$uid:$uid" "$home/$name"; done
fi

exec "$@"
