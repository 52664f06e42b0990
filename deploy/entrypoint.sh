#!/bin/sh
# The image's entrypoint: bring the schema up to date, then run the role named by the first
# argument. Replicas starting together migrate one at a time (a PostgreSQL advisory lock in
# `apo migrate`), so every role may run this.
#   web     HTTP web side only: verify, store, queue, ack (`apo serve --http --web-only`)
#   worker  run queued jobs and the daily digests (`apo worker`)
#   socket  Socket Mode web side only (one replica: Slack holds one connection per token)
#   all     HTTP web side plus APO_WORKERS worker processes (one container for a small team)
#   chroma  a Chroma server on port 8000 with the client's own chromadb version (CHROMA_PATH)
#   other   any `apo` command, e.g. `doctor` or `index /knowledge --project acme`
set -eu
role="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi
case "$role" in
  web|worker|socket|all) apo migrate ;;
esac
case "$role" in
  web) exec apo serve --http --web-only --host 0.0.0.0 --port "${PORT:-3000}" "$@" ;;
  worker) exec apo worker "$@" ;;
  socket) exec apo serve --web-only "$@" ;;
  all) exec apo serve --http --host 0.0.0.0 --port "${PORT:-3000}" "$@" ;;
  chroma) exec chroma run --path "${CHROMA_PATH:-/data/chroma}" --host 0.0.0.0 --port 8000 "$@" ;;
  *) exec apo "$role" "$@" ;;
esac
