#!/bin/sh
# make demo: run the demo scenario in the Debian demo guest under
# -device secret-tracker, show the console and the diffusion route, and
# write flows.json / flows.dot / flows.svg into BUILD/demo.
#
# usage: st-demo.sh BUILD [st-demo.py options]
set -eu
build=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/st-demo.py" "$build" "$@"
