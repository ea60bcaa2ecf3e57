#!/usr/bin/env bash
# bench/http_client.sh -- what HTTP/1.1 costs the client and the node over
# meshwalk's protocol, per request, in one run: bench/protocols.sh with the
# two transports tcp:// and http:// (see there for the set-up).
#
#   bench/http_client.sh [RATE [REQUESTS [ROUNDS]]]    (default 10000 50000 2)
exec "$(dirname "$0")/protocols.sh" "${1:-10000}" "${2:-50000}" "${3:-2}" "tcp http"
