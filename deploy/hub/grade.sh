#!/usr/bin/env bash
# Grades the hub's class: collects every learner's notebooks from their home
# (~/cross-entropy/notebooks, where jupyterhub_config.py seeds them) into CLASS/<learner>/, then runs
# `npm run grade` on it. As root (it reads every home). Grader options pass through:
#
#   sudo deploy/hub/grade.sh [--class DIR] [--notebooks GLOB] [GRADE OPTIONS...]
#
# --class DIR: where the copies go (default ./class); --notebooks GLOB: only these notebooks, e.g.
# '0[1-3]-*.ipynb' for a first session (default: all).
#
# The hub's learners are the users with such a folder; it lists them, and stops loudly when it
# finds none (a wrong folder would otherwise grade nobody).
set -euo pipefail
course=$(cd "$(dirname "$0")/../.." && pwd)
caller=$PWD
class=$PWD/class
glob='*.ipynb'
while [ $# -gt 0 ]; do
  case $1 in
    --class) class=$(realpath -m "$2"); shift 2 ;;
    --notebooks) glob=$2; shift 2 ;;
    *) break ;;
  esac
done
folder=cross-entropy/notebooks   # LEARNER_FOLDER in jupyterhub_config.py, and its notebooks/

found=0
while IFS=: read -r name _ _ _ _ home _; do
  [ -d "$home/$folder" ] || continue
  notebooks=("$home/$folder"/$glob)
  [ -e "${notebooks[0]}" ] || continue
  mkdir -p "$class/$name"
  cp -p "${notebooks[@]}" "$class/$name/"
  found=$((found + 1))
  echo "collected $name: ${#notebooks[@]} notebooks from $home/$folder"
done < <(getent passwd)

if [ "$found" -eq 0 ]; then
  echo "grade.sh: 0 learners found: no home has $folder/$glob. Is this the hub's machine, and did the learners start their servers?" >&2
  exit 1
fi
echo "collected $found learners into $class"
cd "$course"
INIT_CWD=$caller exec node dist/commands/grade.js "$class" "$@"
