# Issue 25 items 3, 5, 6, 9 and 10 (readers, run folders, terminal escapes, limits, messages): one
# verdict per failure the issue lists. Sourced by scripts/issue25_before_after.sh in its own folder
# (data.csv: types A in ME and B in LO); FIFOs are made here, never under /dev.
t() { timeout "$@"; }
mkfifo fifo && mkdir -p folder
echo '{"schema":"eyemap-stats/2","wall_ns":1,"ops":[]}' > ok-stats.json

# 3: readers without limits, or with the wrong error.
t 20 "$bin" stats report /dev/zero -o r.html 2> e3a; a=$?
verdict 3a "$([ $a = 2 ] && grep -q 'regular file' e3a && echo 1)" "stats report /dev/zero: exit $a ($(err e3a))"
t 10 "$bin" stats report fifo -o r.html 2> e3b; a=$?
verdict 3b "$([ $a = 2 ] && echo 1)" "stats report FIFO without writer: exit $a (124 = hung, killed by timeout 10 s) ($(err e3b))"
t 10 "$bin" stats report folder -o r.html 2> e3c; a=$?
verdict 3c "$([ $a = 3 ] && grep -q 'is a folder' e3c && echo 1)" "stats report FOLDER: exit $a ($(err e3c))"
t 20 "$bin" batch --data data.csv --out-dir o3 --shard 0/2 --plan /dev/zero 2> e3d; a=$?
verdict 3d "$([ $a = 2 ] && grep -q 'regular file' e3d && echo 1)" "batch --plan /dev/zero: exit $a ($(err e3d))"
t 10 "$bin" batch --data data.csv --out-dir o3 --shard 0/2 --plan fifo 2> e3e; a=$?
verdict 3e "$([ $a = 2 ] && echo 1)" "batch --plan FIFO without writer: exit $a (124 = hung) ($(err e3e))"
t 10 "$bin" batch --data data.csv --out-dir o3 --shard 0/2 --plan folder 2> e3f; a=$?
verdict 3f "$([ $a = 3 ] && grep -q 'is a folder' e3f && echo 1)" "batch --plan FOLDER: exit $a ($(err e3f))"
echo '{"schema":"eyemap-stats/2","wall_ns":1e9992,"ops":[]}' > big-stats.json  # found by fuzz_stats
t 10 "$bin" stats report big-stats.json -o r.html 2> e3i; a=$?
verdict 3i "$([ $a = 2 ] && echo 1)" "stats report with a number beyond double: exit $a ($(err e3i))"
t 10 "$bin" render --data - --type A --out-dir o3 < folder 2> e3g; a=$?
verdict 3g "$([ $a = 3 ] && grep -q 'folder' e3g && echo 1)" "render --data - < FOLDER: exit $a ($(err e3g))"
if [ -n "$pydir" ]; then
    t 30 bash -c 'ulimit -v 4000000; PYTHONPATH="$1" /usr/bin/python3 -c "
import eyemap
eyemap.Dataset.from_csv(\"data.csv\", regions=\"/dev/zero\")" 2> e3h' _ "$pydir"; a=$?
    verdict 3h "$(grep -q 'InputError.*regular file' e3h && echo 1)" "Python from_csv(regions='/dev/zero'): exit $a ($(grep -a -m1 -E 'Error' e3h | head -c 140))"
fi

# 5: a run folder that is a symbolic link.
"$bin" batch --data data.csv --out-dir real --run r -q 2> /dev/null
mkdir -p out5 && ln -s ../real/r out5/lnk && rm -f real/r/index.html
t 20 "$bin" batch --out-dir out5 --run lnk --index-only 2> e5a; a=$?
verdict 5a "$([ $a = 3 ] && [ ! -e real/r/index.html ] && echo 1)" "batch --index-only through a linked run: exit $a, index written through it: $([ -e real/r/index.html ] && echo yes || echo no)"
t 20 "$bin" runs protect lnk --out-dir out5 > o5b 2> e5b; a=$?
verdict 5b "$([ $a = 3 ] && [ ! -e real/r/.protected ] && echo 1)" "runs protect on a linked run: exit $a, .protected made through it: $([ -e real/r/.protected ] && echo yes || echo no)"
t 20 "$bin" runs list --out-dir out5 > o5c 2> e5c; a=$?
verdict 5c "$(grep -q 'lnk.*refused' o5c && echo 1)" "runs list with a linked run: $(grep -c lnk o5c) lines name it (exit $a)"

# 6: terminal escapes in what runs verify and runs list print.
"$bin" batch --data data.csv --out-dir out6 --run r -q 2> /dev/null
sed -i 's/"started":"/"started":"\\u001b[2J\\u202e/' out6/r/manifest.json
printf 'x' > "out6/r/svg/.A$(printf '\033')]0;t$(printf '\007').svg.tmp-h-1-0123456789abcdef"
"$bin" runs list --out-dir out6 > o6a 2> /dev/null
verdict 6a "$(grep -q "$(printf '\033')" o6a || echo 1)" "runs list: the manifest's started printed $(grep -q "$(printf '\033')" o6a && echo raw || echo escaped)"
mv out6/r "out6/r$(printf '\033')[31m"
"$bin" runs verify "out6/r$(printf '\033')[31m" > o6b 2> /dev/null
verdict 6b "$(grep -q "$(printf '\033')" o6b || echo 1)" "runs verify: path and temp-file name printed $(grep -q "$(printf '\033')" o6b && echo raw || echo escaped)"

# 9: numbers at the edges.
"$bin" batch --data data.csv --out-dir out9 --run r -q 2> /dev/null
t 30 "$bin" runs verify out9/r --shards 4000000000 > o9a 2> e9a; a=$?
verdict 9a "$([ $a = 1 ] && grep -q 65536 e9a && echo 1)" "runs verify --shards 4000000000: exit $a ($(err e9a))"
t 30 "$bin" runs verify out9/r --shards 70000 > o9b 2> e9b; a=$?
verdict 9b "$([ $a = 1 ] && echo 1)" "runs verify --shards 70000 on an unsharded run: exit $a, $(wc -l < o9b) lines"
t 30 "$bin" batch --data data.csv --plan-out p9.json --shards 70000 2> e9c; a=$?
verdict 9c "$([ $a = 1 ] && [ ! -e p9.json ] && echo 1)" "--plan-out --shards 70000: exit $a, plan written: $([ -e p9.json ] && echo yes || echo no)"
echo '{"schema":"eyemap-plan/1","shards":2,"types":[{"name":"A","shard":4294967297}]}' > p9d.json
t 30 "$bin" batch --data data.csv --out-dir out9d --shard 1/2 --plan p9d.json -q 2> e9d; a=$?
verdict 9d "$([ $a = 2 ] && echo 1)" "plan entry shard 4294967297 of 2: exit $a ($(err e9d))"
if [ -n "$pydir" ]; then
    py -c "
import pandas as pd, eyemap
df = pd.DataFrame({'neuron_type': ['A'], 'region': ['ME'], 'side': ['R'], 'hex1': [1], 'hex2': [1],
                   'synapses': pd.array(__import__('numpy').array([2**63 + 5], dtype='uint64'), dtype='UInt64'), 'cells': [1]})
eyemap.Dataset.from_frame(df)" 2> e9e
    verdict 9e "$(grep -q 'too large' e9e && echo 1)" "pandas UInt64 2**63+5: $(grep -a -m1 -o -E '(negative|too large)[^.]*' e9e | head -c 80)"
fi
bad=""
for v in 0 -1 nan 1e308; do
    t 10 "$bin" batch --data data.csv --out-dir "out9f$v" --run r -q --progress-interval "$v" 2> /dev/null; [ $? = 1 ] || bad="$bad $v"
done
verdict 9f "$([ -z "$bad" ] && echo 1)" "--progress-interval 0, -1, nan, 1e308: accepted:${bad:- none}"
t 30 "$bin" batch --data data.csv --out-dir out9g --run r -q --stats-json no/such/s.json 2> e9g; a=$?
verdict 9g "$([ $a = 3 ] && [ ! -e out9g/r ] && echo 1)" "unwritable --stats-json: exit $a, run made first: $([ -e out9g/r ] && echo yes || echo no)"
# The parallel.sh beside the driver (ISSUE25_PARALLEL: another one, e.g. 8aaac46's).
par="${ISSUE25_PARALLEL:-$here/cluster/parallel.sh}"
if [ -x "$par" ]; then
    t 20 "$par" --eyemap "$bin" --parallel-jobs 2 --data data.csv --out-dir out9h --run r --shards 70000 > /dev/null 2> e9h; a=$?
    t 20 "$par" --eyemap "$bin" --data data.csv --out-dir out9h --run r --shards 0 > /dev/null 2> e9i; b=$?
    verdict 9h "$([ $a = 1 ] && [ $b = 1 ] && grep -q 65536 e9h && echo 1)" "parallel.sh --shards 70000: exit $a; --shards 0: exit $b ($(head -c 90 e9i))"
fi

# 10: messages.
t 10 "$bin" render --data data.csv --type A --out-dir o10 --metric cels 2> e10a; a=$?
verdict 10a "$(grep -q '^eyemap: error: .*did you mean' e10a && echo 1)" "--metric cels: exit $a: $(head -n1 e10a | head -c 100)"
t 10 "$bin" render --data data.csv --type A --out-dir o10 --region me 2> e10b; a=$?
verdict 10b "$(grep -q "did you mean 'ME'" e10b && echo 1)" "--region me: exit $a: $(head -n1 e10b | head -c 110)"
if [ -n "$pydir" ]; then
    py -c "
import eyemap
eyemap.Renderer(hex_size='big')" 2> e10c
    verdict 10c "$(grep -q "''big''" e10c || echo 1)" "Renderer(hex_size='big'): $(grep -a -m1 -o "value [^:]*" e10c)"
fi
"$bin" batch --data data.csv --out-dir o10d --run r --pages 2> e10d > /dev/null
listed="$("$bin" runs list --out-dir o10d 2> /dev/null | awk '$1 == "r" { print $4 }')"
verdict 10d "$(grep -q "($listed files in the folder" e10d && echo 1)" "batch says $(grep -a -o -m1 '[0-9]* files' e10d | head -1) ($(grep -a -o -m1 '([0-9]* files in the folder' e10d)); runs list says $listed"
verdict 10e "$(grep -q "the whole command" e10d && echo 1)" "batch summary says what its time covers: $(grep -a -o -m1 'in [0-9.]* s[^,]*' e10d)"
"$bin" figure --help > o10f 2> e10f; a=$?
verdict 10f "$([ $a = 1 ] && grep -q "unknown command 'figure'" e10f && echo 1)" "eyemap figure --help: exit $a, $(wc -l < o10f) lines of help"
