#!/bin/sh
# The image's entry point: the first argument names the service. Each runs as
# node itself (exec), so SIGTERM reaches it and it drains gracefully.
set -eu
cd /app
service="${1:-}"
[ $# -gt 0 ] && shift
usage="usage: citizen-graph gateway | subgraph <identity|tax|family|benefits|education|transparency> | events | offers | witness | migrate <identity|tax|family|benefits|education|transparency> | policy … | audit … | events-admin … | offers-admin …"
# OpenTelemetry loads first (it instruments modules as they load), and only when OTEL_* asks for it.
run() { exec node --import tsx --import ./platform/telemetry-preload.ts "$@"; }
case "$service" in
  gateway)  run system/start-gateway.ts "$@" ;;
  subgraph) run system/start-subgraph.ts "$@" ;;
  events)   run system/start-events.ts "$@" ;;
  offers)   run system/start-offers.ts "$@" ;;
  witness)  run system/start-witness.ts "$@" ;;
  migrate)  run system/migrate.ts "$@" ;;
  policy)   run permissions/cli.ts "$@" ;;
  audit)    run gateway/audit/cli.ts "$@" ;;
  events-admin) run events/cli.ts "$@" ;;
  offers-admin) run offers/cli.ts "$@" ;;
  help|--help|-h) echo "$usage"; exit 0 ;;
  *) echo "$usage" >&2; exit 64 ;;
esac
