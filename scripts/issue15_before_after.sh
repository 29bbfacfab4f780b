#!/usr/bin/env bash
# Runs the failures of issue 15 ("Reliability, round 2"), at the command line, against an eyemap
# binary and prints one line per scenario: PASS (the rule holds) or FAIL (the failure the issue
# describes), with what was seen. Used to confirm that each regression test's scenario failed with
# the binary before the fixes (861b36b) and passes now (docs/robustness.md, "Before and after").
#   scripts/issue15_before_after.sh BINARY SCRATCH_DIR
# Needs root for scenario 5 (unshare: a writer in another pid namespace, as another machine).
set -uo pipefail
bin="$(realpath "$1")"
w="$2"
rm -rf "$w" && mkdir -p "$w" && cd "$w" || exit 2
hdr='neuron_type,region,side,hex1,hex2,synapses,cells'
rows() {  # rows TYPE [REGION]: 3 columns per side
    local t="$1" r="${2:-ME}" h s
    for h in 0 1 2; do for s in L R; do printf '%s,%s,%s,%s,0,%s,%s\n' "$t" "$r" "$s" "$h" $((5 + h)) $((1 + h)); done; done
}
say() { printf '%-4s %-5s %s\n' "$1" "$2" "$3"; }
verdict() { if [ "$2" = 1 ]; then say "$1" PASS "$3"; else say "$1" FAIL "$3"; fi; }
err() { cat "$@" 2> /dev/null | grep -m1 -a -E '^eyemap: (error|internal error)|terminate called|what\(\)' | head -c 160; }  # the first error message

# 1. A type name with '..'
mkdir s1 && { echo "$hdr"; rows 'T4..a'; } > s1/d.csv
"$bin" batch --data s1/d.csv --out-dir s1/o --run r -q --pages 2> s1/e1; a=$?
"$bin" batch --data s1/d.csv --out-dir s1/o --run r -q --pages --resume 2> s1/e2; b=$?
"$bin" batch --out-dir s1/o --run r --index-only > /dev/null 2> s1/e3; c=$?
ok=0; [ $a = 0 ] && [ $b = 0 ] && [ $c = 0 ] && [ -f s1/o/r/index.html ] && ok=1
verdict 1 $ok "batch --pages / --resume / --index-only exit $a/$b/$c, index.html $([ -f s1/o/r/index.html ] && echo yes || echo no); $(err s1/e1 s1/e2 s1/e3)"

# 2. File names collide: A in region B_C and A_B in region C
mkdir s2 && echo '{"regions":[{"name":"B_C","layers":[]},{"name":"C","layers":[]}]}' > s2/regions.json
{ echo "$hdr"; rows A B_C; rows A_B C; } > s2/d.csv
"$bin" batch --data s2/d.csv --regions s2/regions.json --out-dir s2/o --run r -q 2> s2/e; a=$?
n=$(find s2/o/r/svg -type f | wc -l)
ok=0; [ $a = 0 ] && [ "$n" = 16 ] && ok=1  # 2 types x 2 regions x 2 sides x 2 metrics
verdict 2 $ok "exit $a, $n SVG files for 16 eyemaps"

# 3. Text cairo cannot draw (U+FFFE U+FFFF in a type name)
mkdir s3 && bad=$'T\xef\xbf\xbe\xef\xbf\xbf'
{ echo "$hdr"; rows "$bad"; } > s3/d.csv
"$bin" render --data s3/d.csv --type "$bad" --region ME --side R --metric cell_count --format png --out-dir s3/out 2> s3/e1; a=$?
"$bin" batch --data s3/d.csv --out-dir s3/o --run r -q --formats svg,png,pdf 2> s3/e2; b=$?
ok=0; [ $a = 0 ] && [ $b = 0 ] && ok=1
verdict 3 $ok "render png exit $a, batch svg,png,pdf exit $b; $(err s3/e1 s3/e2)"

# 4. Two writers, different data, one run (started together); and two writers into a run that does not exist yet
mkdir s4 && { echo "$hdr"; for t in $(seq -w 1 150); do rows "A$t"; done; } > s4/a.csv
{ echo "$hdr"; for t in $(seq -w 1 150); do rows "A$t" | sed 's/,\([0-9]*\)$/,9\1/'; done; } > s4/b.csv
mkdir -p s4/o/r
("$bin" batch --data s4/a.csv --out-dir s4/o --run r -q --formats svg,png 2> s4/e1; echo $? > s4/rc1) &
("$bin" batch --data s4/b.csv --out-dir s4/o --run r -q --formats svg,png 2> s4/e2; echo $? > s4/rc2) &
wait
a=$(cat s4/rc1) b=$(cat s4/rc2)
ok=0; { [ "$a" = 0 ] && [ "$b" = 2 ]; } || { [ "$a" = 2 ] && [ "$b" = 0 ]; } && ok=1
verdict 4 $ok "existing run folder: exits $a and $b; $(err s4/e1 s4/e2)"
("$bin" batch --data s4/a.csv --out-dir s4/n --run r -q --formats svg,png 2> s4/f1; echo $? > s4/rc1) &
("$bin" batch --data s4/b.csv --out-dir s4/n --run r -q --formats svg,png 2> s4/f2; echo $? > s4/rc2) &
wait
a=$(cat s4/rc1) b=$(cat s4/rc2)
ok=0; { [ "$a" = 0 ] && [ "$b" = 2 ]; } || { [ "$a" = 2 ] && [ "$b" = 0 ]; } && ok=1
verdict 4n $ok "new run folder: exits $a and $b; $(err s4/f1 s4/f2)"

# 5. Temp-file cleanup and a writer in another pid namespace (unshare --pid: the cleanup cannot see it)
mkdir s5 && "$bin" sample --out-dir s5/s --types 60 > /dev/null 2>&1
"$bin" batch --data s5/s/data.csv --out-dir s5/o --run r -q --formats svg --shard 1/2 > /dev/null 2>&1  # the run folder exists
# In the namespace the batch gets a pid near 400 (a pid that is not running out here), as a
# process in a container would.
unshare --pid --fork --mount-proc sh -c 'for i in $(seq 400); do /bin/true; done; "$0" "$@"' \
    "$bin" batch --data s5/s/data.csv --out-dir s5/o --run r -q --formats png --scale 6 --shard 0/2 2> s5/e0 &
upid=$!
caught=""
for i in $(seq 1 600); do
    nsh=$(pgrep -P $upid | head -1)
    kid=$([ -n "$nsh" ] && pgrep -x -P "$nsh" eyemap | head -1)
    [ -z "$kid" ] && { sleep 0.02; continue; }
    kill -STOP "$kid" 2> /dev/null || break
    if ls -A s5/o/r/png 2> /dev/null | grep -q '\.tmp-'; then caught=$kid; break; fi
    kill -CONT "$kid"; sleep 0.0$((RANDOM % 9 + 1))
done
if [ -n "$caught" ]; then
    before=$(ls -A s5/o/r/png | grep -c '\.tmp-')
    "$bin" batch --data s5/s/data.csv --out-dir s5/o --run r -q --formats svg --shard 1/2 --resume > /dev/null 2> s5/e1
    after=$(ls -A s5/o/r/png | grep -c '\.tmp-')
    kill -CONT "$caught"; wait $upid; a=$?
    ok=0; [ $a = 0 ] && [ "$after" = "$before" ] && ok=1
    verdict 5 $ok "writer in another pid namespace: its temp files $before before the other shard's start-up cleanup, $after after; it exits $a; $(err s5/e0)"
else
    kill -CONT $upid 2> /dev/null; wait $upid
    say 5 "?" "no temporary file caught in flight"
fi

# 6. The manifest is trusted: a javascript: link, a count of 4e9
mkdir s6 && { echo "$hdr"; rows A; } > s6/d.csv
"$bin" batch --data s6/d.csv --out-dir s6/o --run r -q --pages 2> /dev/null
cp s6/o/r/manifest.json s6/good.json
sed 's#"pages/A.html"#"javascript:alert(document.domain)//"#' s6/good.json > s6/o/r/manifest.json
"$bin" batch --out-dir s6/o --run r --index-only > /dev/null 2> s6/e1; a=$?
js=$(grep -c 'javascript:' s6/o/r/index.html)
sed 's#"count":1#"count":4000000000#' s6/good.json > s6/o/r/manifest.json
t0=$(date +%s.%N)
(ulimit -v 4000000; timeout 30 "$bin" batch --out-dir s6/o --run r --index-only > /dev/null 2> s6/e2); b=$?
t=$(echo "$(date +%s.%N) - $t0" | bc)
ok=0; [ $a = 2 ] && [ "$js" = 0 ] && [ $b = 2 ] && ok=1
verdict 6 $ok "javascript: path: exit $a, index.html links to it: $js; count 4e9: exit $b after ${t%??????} s (4 GB address-space limit, 30 s timeout)"

# 7. Unbounded readers and templates
mkdir s7 && { echo "$hdr"; rows A; } > s7/d.csv && mkfifo s7/fifo
t0=$(date +%s.%N)
timeout 60 "$bin" render --data s7/d.csv --type A --regions /dev/zero --out-dir s7/o 2> s7/e1; a=$?
t=$(echo "$(date +%s.%N) - $t0" | bc)
timeout 10 "$bin" render --data s7/d.csv --type A --regions s7/fifo --out-dir s7/o 2> s7/e2; b=$?
mkdir s7/t1 s7/t2
{ printf '<svg xmlns="http://www.w3.org/2000/svg">'; for i in $(seq 1 20); do printf '{{#titles}}'; done; printf '<g>{{text}}</g>';
  for i in $(seq 1 20); do printf '{{/titles}}'; done; printf '\n'; } > s7/t1/head.svg.mustache
(ulimit -v 4000000; timeout 120 "$bin" render --data s7/d.csv --type A --region ME --side R --metric cell_count --templates s7/t1 -o s7/n.svg 2> s7/e3); c=$?
printf '<svg xmlns="http://www.w3.org/2000/svg"><g>{{> head.svg.mustache}}\n' > s7/t2/head.svg.mustache
"$bin" render --data s7/d.csv --type A --region ME --side R --metric cell_count --templates s7/t2 -o s7/p.svg 2> s7/e4; d=$?
ok=0; [ $a = 2 ] && [ $b = 2 ] && [ $c = 2 ] && [ $d = 2 ] && ok=1
verdict 7 $ok "--regions /dev/zero: exit $a after ${t%??????} s; FIFO: exit $b (124 = killed by timeout 10 s); nested sections: exit $c ($(err s7/e3)); recursive partial: exit $d"

# 8. Junk runs: an invalid option, a bad first row
mkdir s8 && { echo "$hdr"; rows A; } > s8/d.csv && { echo "$hdr"; echo 'A,ME,R,0,0,NaN,1'; } > s8/bad.csv
"$bin" batch --data s8/d.csv --out-dir s8/o --run r -q --formats png --scale 0 2> s8/e1; a=$?
x=$([ -e s8/o ] && echo "made" || echo "none")
"$bin" batch --data s8/bad.csv --out-dir s8/o2 -q 2> s8/e2; b=$?
y=$([ -e s8/o2 ] && echo "made" || echo "none")
ok=0; [ $a = 1 ] && [ $x = none ] && [ $b = 2 ] && [ $y = none ] && ok=1
verdict 8 $ok "--scale 0: exit $a, out-dir $x; bad first row: exit $b, out-dir $y"

# 9. Smaller ones
mkdir s9 && { echo "$hdr"; rows A; } > s9/d.csv
mkdir -p s9/o/r s9/outside && ln -s "$PWD/s9/outside" s9/o/r/svg
"$bin" batch --data s9/d.csv --out-dir s9/o --run r -q 2> s9/e1; a=$?
outside=$(find s9/outside -type f | wc -l)
ok=0; [ $a = 3 ] && [ "$outside" = 0 ] && ok=1
verdict 9a $ok "symlink at RUN/svg: exit $a, $outside files written outside --out-dir"
{ echo "$hdr"; printf 'A,\033[31mX\007,R,0,0,1,1\n'; } > s9/esc.csv
"$bin" render --data s9/esc.csv --type A --out-dir s9/e 2> s9/e2
printf '{"regions":[{"name":"\\u001b[31mX\\u0007","layers":["a","b"]}]}' > s9/esc.json
{ echo "$hdr,layer_synapses"; printf 'A,\033[31mX\007,R,0,0,1,1,1\n'; } > s9/esc2.csv
"$bin" render --data s9/esc2.csv --regions s9/esc.json --type A --out-dir s9/e 2> s9/e2b
ok=0; grep -q $'\033' s9/e2 s9/e2b || ok=1
verdict 9b $ok "ESC/BEL of a region name printed raw: $(cat s9/e2 s9/e2b | grep -c $'\033') line(s); $(err s9/e2b | tr -d '\033\007')"
"$bin" runs clean --out-dir s9/o --keep -1 > /dev/null 2>&1; a=$?
ok=0; [ $a != 0 ] && ok=1
verdict 9c $ok "runs clean --keep -1: exit $a"
{ echo "$hdr"; echo 'A,ME,R,0,0,9223372036854775807,1'; echo 'A,ME,R,1,0,0,1'; } > s9/big.csv
"$bin" render --data s9/big.csv --type A --region ME --side R --metric synapse_density -o s9/big.svg 2> /dev/null
"$bin" render --data s9/d.csv --type A --region ME --side R --metric cell_count --color-min -1e308 --color-max 1e308 -o s9/wide.svg 2> /dev/null
n=$(cat s9/big.svg s9/wide.svg 2> /dev/null | grep -c -- '-9223372036854775808')
ok=0; [ "$n" = 0 ] && [ -s s9/big.svg ] && ok=1
verdict 9d $ok "legend ticks -9223372036854775808: in $n file(s)"
{ echo "$hdr"; echo 'A,ME,R,-4000,0,1,1'; echo 'A,ME,R,4000,0,1,1'; } > s9/w.csv
timeout 120 "$bin" render --data s9/w.csv --type A --region ME --side R --metric cell_count --format pdf -o s9/w.pdf 2> s9/e3; a=$?
timeout 120 "$bin" render --data s9/w.csv --type A --region ME --side R --metric cell_count --format png -o s9/w.png 2> s9/e4; b=$?
ok=0; [ $a = 2 ] && [ $b = 2 ] && grep -q canvas s9/e4 && ok=1
verdict 9e $ok "PDF page of a wide layout: exit $a ($(err s9/e3)); PNG: exit $b ($(err s9/e4))"
"$bin" sample --out-dir s9/s --types 20000 > /dev/null 2>&1 &
sp=$!; sleep 1; kill -TERM $sp; wait $sp
left=$(ls -A s9/s | grep -c tmp)
ok=0; [ "$left" = 0 ] && ok=1
verdict 9f $ok "sample killed by SIGTERM: $left temporary file(s) left"
{ printf '\xef\xbb\xbf\xef\xbb\xbf'; echo "$hdr"; rows A; } > s9/bom.csv
"$bin" render --data s9/bom.csv --type A --out-dir s9/bom 2> s9/e5; a=$?
ok=0; [ $a = 0 ] && ok=1
verdict 9g $ok "doubled byte-order mark: exit $a $(err s9/e5)"
exit 0
