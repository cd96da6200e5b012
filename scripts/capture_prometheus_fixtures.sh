#!/bin/sh
# Record Prometheus API responses used by the parser and respx tests.
# Usage: scripts/capture_prometheus_fixtures.sh http://127.0.0.1:9090 START END
# (a Prometheus holding the bench_requests_total series of bench/query_range.py).
set -eu
url=$1 start=$2 end=$3
out=tests/fixtures/prometheus/v2.42
sel='bench_requests_total{instance=~"host-000[01]"}'
get() { curl -sS -G "$url$1" "$@" ; }
q() { name=$1; shift; curl -sS "$url/api/v1/$@" > "$out/$name.json"; }
curl -sS "$url/api/v1/query" --data-urlencode "query=$sel" --data-urlencode "time=$end" > $out/vector.json
curl -sS "$url/api/v1/query_range" --data-urlencode "query=rate($sel[5m])" \
  --data-urlencode "start=$((end - 120))" --data-urlencode "end=$end" --data-urlencode "step=60" > $out/matrix.json
# host-0000 is 1441 at $end: x/(x-1441) is finite, then +Inf; (x-1441)/(x-1441) ends in NaN.
curl -sS "$url/api/v1/query_range" \
  --data-urlencode "query=$sel / ($sel - 1441) or label_replace(($sel - 1441) / ($sel - 1441), \"k\", \"nan\", \"\", \"\")" \
  --data-urlencode "start=$((end - 30))" --data-urlencode "end=$end" --data-urlencode "step=15" > $out/matrix_special.json
curl -sS "$url/api/v1/query" --data-urlencode "query=scalar(sum($sel))" --data-urlencode "time=$end" > $out/scalar.json
curl -sS "$url/api/v1/query" --data-urlencode 'query="hello"' --data-urlencode "time=$end" > $out/string.json
curl -sS "$url/api/v1/query" --data-urlencode 'query=sum(' > $out/error_bad_data.json
curl -sS "$url/api/v1/query_range" --data-urlencode 'query=up' --data-urlencode "start=0" \
  --data-urlencode "end=$end" --data-urlencode "step=1" > $out/error_resolution.json
curl -sS -G "$url/api/v1/series" --data-urlencode "match[]=$sel" --data-urlencode "start=$((end - 60))" --data-urlencode "end=$end" > $out/series.json
curl -sS -G "$url/api/v1/labels" > $out/labels.json
curl -sS -G "$url/api/v1/label/job/values" > $out/label_values.json
curl -sS -G "$url/api/v1/metadata" > $out/metadata.json
curl -sS "$url/api/v1/query_exemplars" --data-urlencode "query=$sel" --data-urlencode "start=$((end - 60))" --data-urlencode "end=$end" > $out/exemplars_empty.json
