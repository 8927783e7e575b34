#!/usr/bin/env bash
# ad-hoc: 1M volumes, colophon vs plain tantivy behind the front, c=64, 3 s per class, one round
set -u
cd "$(git rev-parse --show-toplevel)"
O=bench/out/mini-1m; rm -rf $O; mkdir -p $O
python3 bench/scale.py urls --queries bench/out/scale/queries-1m.json --out-dir $O/urls
KEY=$(target/release/colophon keys create --data-dir bench/out/build-1m/colophon-data --name mini | tail -1)
for cls in isbn title-author keywords subject-paging phrase get; do
  if [ $cls = get ]; then sed "s/\$/?key=$KEY/" $O/urls/$cls.txt > $O/urls/c-$cls.txt; else sed "s/\$/\&key=$KEY/" $O/urls/$cls.txt > $O/urls/c-$cls.txt; fi
done
for e in colophon tantivy; do
  if [ $e = colophon ]; then
    COLOPHON_WORKER_THREADS=1 taskset -c 0 target/release/colophon serve --data-dir bench/out/build-1m/colophon-data --listen 127.0.0.1:18777 > $O/srv.out 2>$O/srv.err &
  else
    taskset -c 0 target/release/colophon-bench serve --engine tantivy --dir bench/out/build-1m/idx-tantivy --listen 127.0.0.1:18777 > $O/srv.out 2>$O/srv.err &
  fi
  P=$!
  for i in $(seq 300); do grep -q "listening on" $O/srv.out && break; sleep 0.2; done
  for cls in isbn title-author keywords subject-paging phrase get; do
    f=$O/urls/$cls.txt; [ $e = colophon ] && f=$O/urls/c-$cls.txt
    URLS_FILE=$f taskset -c 1 wrk -t1 -c16 -d2s -s bench/rotate.lua http://127.0.0.1:18777 > /dev/null 2>&1
    URLS_FILE=$f taskset -c 1 wrk -t1 -c64 -d3s --latency -s bench/rotate.lua http://127.0.0.1:18777 > $O/wrk-$e-$cls.txt 2>&1
    echo "$e $cls load1=$(cut -d' ' -f1 /proc/loadavg) $(sed -n 's/^BENCHJSON //p' $O/wrk-$e-$cls.txt)" >> $O/results.txt
  done
  echo "$e VmHWM $(awk '/^VmHWM/{print $2}' /proc/$P/status) kB" >> $O/results.txt
  kill $P; wait $P 2>/dev/null
done
echo done >> $O/results.txt
