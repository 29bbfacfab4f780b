# Issue 25 items 1, 2 and 7 (outputs): special files as outputs, standard output errors, interrupted writes.
# Device nodes are made here with mknod (root only), never used under /dev; FIFOs are made here too.
r="render --data data.csv --type A --region ME --side R --metric cell_count"
"$bin" $r -o plain.svg 2> e0.txt
kind() { if [ -L "$1" ]; then echo link; elif [ -p "$1" ]; then echo fifo; elif [ -c "$1" ]; then echo chardev; elif [ -d "$1" ]; then echo folder; elif [ -f "$1" ]; then echo file; else echo none; fi; }
stop() {  # stop PID: give a background reader 2 s to finish, then end it
    local i; for i in $(seq 20); do kill -0 "$1" 2> e.txt || break; sleep 0.1; done
    kill "$1" 2> e.txt; wait "$1" 2> e.txt
}

# --- item 1: outputs replace special files
mkfifo f1; cat f1 > got1 & c=$!
timeout 20 "$bin" $r --format svg -o f1 2> e1a; rc=$?; stop $c
verdict 1a "$([ $rc = 0 ] && [ -p f1 ] && cmp -s got1 plain.svg && echo 1 || echo 0)" "render -o FIFO: exit $rc, the FIFO is now a $(kind f1), its reader got $(wc -c < got1) of $(wc -c < plain.svg) bytes"
mkfifo f2; cat f2 > got2 & c=$!
timeout 20 "$bin" $r -o s.svg --stats-json f2 2> e1b; rc=$?; stop $c
verdict 1b "$([ $rc = 0 ] && [ -p f2 ] && grep -q eyemap-stats got2 && echo 1 || echo 0)" "--stats-json FIFO: exit $rc, now a $(kind f2), reader got $(wc -c < got2) bytes"
if mknod null c 1 3 2> e.txt && mknod full c 1 7 2> e.txt; then
    "$bin" $r -o s.svg --stats-json null 2> e1c; rc=$?
    verdict 1c "$([ $rc = 0 ] && [ -c null ] && echo 1 || echo 0)" "--stats-json to a character device (null, made here): exit $rc, now a $(kind null)"
    "$bin" $r --format svg -o full 2> e1d; rc=$?
    verdict 1d "$([ $rc = 3 ] && [ -c full ] && echo 1 || echo 0)" "render -o to a full device (made here): exit $rc, now a $(kind full) $(err e1d)"
else
    say 1c SKIP "mknod not permitted"; say 1d SKIP "mknod not permitted"
fi
mkdir -p real && echo old > real/t.svg && ln -s real/t.svg link.svg
"$bin" $r -o link.svg 2> e1e; rc=$?
verdict 1e "$([ $rc = 0 ] && [ -L link.svg ] && cmp -s real/t.svg plain.svg && echo 1 || echo 0)" "render -o SYMLINK: exit $rc, link.svg is now a $(kind link.svg), its target $(cmp -s real/t.svg plain.svg && echo replaced || echo unchanged)"
"$bin" $r -o s.svg --stats-json st.json 2> e.txt
echo old > real/report.html && ln -s "$PWD/real/report.html" report.html
"$bin" stats report st.json -o report.html 2> e1f; rc=$?
verdict 1f "$([ $rc = 0 ] && [ -L report.html ] && grep -q '<html' real/report.html && echo 1 || echo 0)" "stats report -o SYMLINK: exit $rc, now a $(kind report.html)"
echo old > real/plan.json && ln -s real/plan.json plan.json
"$bin" batch --data data.csv --plan-out plan.json --shards 2 -q 2> e1g; rc=$?
verdict 1g "$([ $rc = 0 ] && [ -L plan.json ] && ! grep -qx old real/plan.json && echo 1 || echo 0)" "--plan-out SYMLINK: exit $rc, now a $(kind plan.json)"
mkdir -p folder.svg
"$bin" $r -o folder.svg 2> e1h; rc=$?
verdict 1h "$([ $rc = 3 ] && [ -d folder.svg ] && echo 1 || echo 0)" "render -o FOLDER (held before): exit $rc $(err e1h)"

# --- item 2: write errors on standard output
"$bin" batch --data data.csv --out-dir runs --run r -q 2> e.txt
if mknod sfull c 1 7 2> e.txt; then  # a node of its own: 1d may have replaced "full"
    "$bin" $r --format svg -o - > sfull 2> e2a; rc=$?
    verdict 2a "$([ $rc = 3 ] && echo 1 || echo 0)" "render -o - (SVG) > full device: exit $rc $(err e2a)"
    "$bin" $r --format png -o - > sfull 2> e2b; rc=$?
    verdict 2b "$([ $rc = 3 ] && echo 1 || echo 0)" "render -o - (PNG) > full device: exit $rc $(err e2b)"
    "$bin" stats report st.json > sfull 2> e2c; rc=$?
    verdict 2c "$([ $rc = 3 ] && echo 1 || echo 0)" "stats report > full device: exit $rc $(err e2c)"
    "$bin" runs verify --json runs/r > sfull 2> e2d; rc=$?
    verdict 2d "$([ $rc = 3 ] && echo 1 || echo 0)" "runs verify --json > full device: exit $rc $(err e2d)"
    "$bin" runs list --out-dir runs > sfull 2> e2e; rc=$?
    verdict 2e "$([ $rc = 3 ] && echo 1 || echo 0)" "runs list > full device: exit $rc $(err e2e)"
else
    for i in 2a 2b 2c 2d 2e; do say $i SKIP "mknod not permitted"; done
fi
"$bin" $r --format svg -o - >&- 2> e2f; rc=$?
verdict 2f "$([ $rc = 3 ] && echo 1 || echo 0)" "render -o - with standard output closed: exit $rc $(err e2f)"

# --- item 7: interrupted writes
# strace holds each write() 3 s, so SIGTERM surely comes while the temporary file exists.
if command -v strace > e.txt; then
    mkdir -p k && (set -m; strace -qq -o trace.log -e trace=write -e inject=write:delay_enter=3000000 "$bin" $r --format svg -o k/x.svg 2> e7a &
        t=$!; for i in $(seq 200); do ls -A k | grep -q tmp- && break; sleep 0.05; done
        kill -TERM "$(pgrep -P $t)"; wait $t) 2> e7s
    left=$(ls -A k | tr '\n' ' ')
    verdict 7a "$([ -z "$left" ] && echo 1 || echo 0)" "render killed (SIGTERM) during its write: left in the folder: ${left:-nothing}"
else
    say 7a SKIP "strace not installed"
fi
if [ -n "$pydir" ]; then
    echo previous > prev.svg
    py -c "
import resource, pandas as pd, eyemap
one = eyemap.render(eyemap.Dataset.from_frame(pd.read_csv('data.csv')), 'A')[0]
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))
try:
    one.save('prev.svg')
except Exception as e:
    print(type(e).__name__)
" > o7b 2> e7b
    verdict 7b "$([ "$(cat prev.svg)" = previous ] && [ "$(ls -A | grep -c tmp-)" = 0 ] && echo 1 || echo 0)" "Eyemap.save with a write error (file-size limit): $(cat o7b), the previous file is $([ "$(cat prev.svg)" = previous ] && echo kept || echo lost)"
    mkfifo f7.svg
    # set -m: a background job of a script would start with SIGINT ignored (and Python would keep it so).
    (set -m  # python itself in the background, not the py function (a subshell would get the signal)
    PYTHONPATH="$pydir" /usr/bin/python3 -c "
import pandas as pd, eyemap, sys
one = eyemap.render(eyemap.Dataset.from_frame(pd.read_csv('data.csv')), 'A')[0]
print('saving', flush=True)
try:
    one.save('f7.svg')
except KeyboardInterrupt:
    print('interrupted')
" > o7c 2> e7c & p=$!
    for i in $(seq 100); do grep -q saving o7c 2> e.txt && break; sleep 0.1; done; sleep 0.5
    kill -INT $p; for i in $(seq 50); do kill -0 $p 2> e.txt || break; sleep 0.1; done
    if kill -0 $p 2> e.txt; then kill -KILL $p; fi; wait $p) 2> e7s
    verdict 7c "$(grep -q interrupted o7c && [ -p f7.svg ] && echo 1 || echo 0)" "Eyemap.save to a FIFO without reader, then SIGINT: $(tail -1 o7c), the FIFO is a $(kind f7.svg)"
else
    say 7b SKIP "no Python package dir given"; say 7c SKIP "no Python package dir given"
fi
