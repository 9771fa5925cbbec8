#!/usr/bin/env bash
# End-to-end checks of the pkbench command line: help on every command, one-line
# errors on bad input, `run` recording one result per block, resume, and the
# bundled corpus being exactly what the generator makes.
# Usage: e2e_cli.sh PATH/TO/pkbench   (run from the repository root by ctest)
set -u
PKB=${1:?usage: e2e_cli.sh PATH/TO/pkbench}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0; checks=0
ok() { checks=$((checks+1)); }
bad() { checks=$((checks+1)); fails=$((fails+1)); echo "FAIL: $*"; }

# --help answers for every command, exit 0, and names its usage
for c in run prove hunt gen import export report compare cost bench conformance; do
  out=$("$PKB" "$c" --help 2>&1); rc=$?
  if [ $rc -eq 0 ] && grep -q "usage: pkbench $c" <<<"$out"; then ok; else bad "$c --help (rc=$rc)"; fi
done
"$PKB" --help | grep -q "commands:" && ok || bad "pkbench --help"
"$PKB" --version | grep -q "backends: cpu" && ok || bad "--version names backends"
"$PKB" no-such-command >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "unknown command exit 2"

# prove on garbage: non-zero, one line naming the file, the offset and the reason
printf 'this is not a block' > "$T/garbage.blk"
err=$("$PKB" prove "$T/garbage.blk" 2>&1 >/dev/null); rc=$?
lines=$(printf '%s\n' "$err" | wc -l)
if [ $rc -ne 0 ] && [ "$lines" -eq 1 ] && grep -q "garbage.blk: offset [0-9]*: " <<<"$err"; then ok; else bad "prove garbage: rc=$rc err=$err"; fi
"$PKB" prove "$T/missing.blk" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "prove missing file exit 2"
"$PKB" prove --bogus x.blk >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "prove unknown flag exit 2"

# gen: the bundled corpora are exactly what the generator writes
# the committed corpus is what the generators make now (blocks over 512 KiB left out, as `make corpus` does)
bash scripts/make-corpus.sh --check --max-file-kb 512 "$PKB" >"$T/corpus.out" 2>&1 && ok || bad "corpus out of date: $(tail -5 "$T/corpus.out")"
"$PKB" gen worst-case --scenario nope --out "$T/x" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "gen unknown scenario exit 2"
"$PKB" gen worst-case --gas-limit abc >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "gen bad gas limit exit 2"
# --out: missing folders above it are made; a file in its place is a one-line error
"$PKB" gen worst-case --gas-limit 100000 --scenario empty --out "$T/n1/n2/n3" >/dev/null 2>&1 &&
  [ -f "$T/n1/n2/n3/empty_0M.blk" ] && ok || bad "gen --out with missing parents: $(ls -R "$T/n1" 2>&1 | head -3)"
: > "$T/afile"
err=$("$PKB" gen worst-case --scenario empty --out "$T/afile" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && grep -q "afile: not a folder" <<<"$err" && ok ||
  bad "gen --out on a file: rc=$rc err=$err"

# run: one run, one result per block, invalid blocks recorded and the run goes on
mkdir -p "$T/c"
cp corpus/smoke/keccak_1M.blk corpus/smoke/empty_1M.blk "$T/c/"
cp "$T/garbage.blk" "$T/c/zz_garbage.blk"
"$PKB" run --db "$T/r.db" "$T/c" >"$T/run.out" 2>"$T/run.err"; rc=$?
[ $rc -eq 0 ] && ok || bad "run exit $rc: $(cat "$T/run.err")"
grep -q "success_rate" "$T/run.out" && ok || bad "run summary has success_rate"
# the sized tables' projection: a second, labelled rate, and stored with each proven result
grep -q "^with every table: .* projected, not measured" "$T/run.out" && ok || bad "run summary has the rate with every table"
[ "$(sqlite3 "$T/r.db" "select count(*) from results where status='ok' and sized_ms >= 0")" = 2 ] && ok ||
  bad "sized_ms stored for the proven blocks"
[ "$(sqlite3 "$T/r.db" "select count(*) from tables where name='keccak' and est_ms >= 0")" = 2 ] && ok ||
  bad "est_ms stored per table"
[ "$(sqlite3 "$T/r.db" 'select count(*) from runs')" = 1 ] && ok || bad "one run row"
[ "$(sqlite3 "$T/r.db" 'select count(*) from results')" = 3 ] && ok || bad "three result rows"
[ "$(sqlite3 "$T/r.db" "select count(*) from results where status='invalid' and reason like 'offset %'")" = 1 ] && ok || bad "invalid block recorded with offset"
[ "$(sqlite3 "$T/r.db" "select count(*) from results where status='ok' and prove_ms > 0 and made_slot is not null")" = 1 ] && ok || bad "keccak block proven and recorded"
[ "$(sqlite3 "$T/r.db" "select count(*) from tables t join results r on r.id = t.result_id where r.status='ok' and t.name='cpu' and t.rows > 0")" = 1 ] && ok || bad "table rows recorded"
# (with the lookup argument, the default, a shard's LDE is made with its commitment before the challenges)
[ "$(sqlite3 "$T/r.db" "select count(*) from phases where name='commit' and ms > 0")" = 1 ] && ok || bad "phase times recorded"
[ "$(sqlite3 "$T/r.db" "select count(*) from shards where prove_ms > 0")" -ge 1 ] && ok || bad "shard times recorded"
# prove: a valid block proves and verifies; --json has the interface fields
out=$("$PKB" prove --json --shard-log 12 corpus/smoke/sstore_new_1M.blk 2>/dev/null); rc=$?
[ $rc -eq 0 ] && ok || bad "prove sstore_new exit $rc"
for k in verified total_ms phases tables shards proof_bytes estimate_ms; do
  grep -q "\"$k\":" <<<"$out" && ok || bad "prove --json lacks $k"
done
grep -q '"verified":true' <<<"$out" && ok || bad "prove did not verify"
grep -q '"proven_tables":\[[^]]*"stoinit"' <<<"$out" && grep -q '"lookup_commit_ms":' <<<"$out" && ok ||
  bad "lookups not on by default: $out"
# --no-lookups: no lookup argument, no range16 table
out=$("$PKB" prove --json --no-lookups --shard-log 12 corpus/smoke/sstore_new_1M.blk 2>/dev/null); rc=$?
[ $rc -eq 0 ] && grep -q '"verified":true' <<<"$out" && ok || bad "prove --no-lookups: $rc $out"
grep -q '"range16"' <<<"${out#*proven_tables}" && bad "range16 proven with --no-lookups" || ok
# --lookups: storage and memory consistency and range checks on the LogUp buses; the range16
# table is proven and the buses balance
out=$("$PKB" prove --json --lookups --shard-log 12 corpus/smoke/sstore_new_1M.blk 2>/dev/null); rc=$?
[ $rc -eq 0 ] && grep -q '"verified":true' <<<"$out" && grep -q '"proven_tables":\[[^]]*"range16"' <<<"$out" &&
  grep -q '"lookup_commit_ms":' <<<"$out" && ok || bad "prove --lookups: $rc $out"
# --trace-budget-mib: tables past the budget are proven in passes, to the same proofs (TLOAD of one
# key: the slot replay every pass keeps is small)
whole=$("$PKB" prove --json --shard-log 12 corpus/smoke/tload_1M.blk 2>/dev/null)
out=$("$PKB" prove --json --shard-log 12 --trace-budget-mib 2 corpus/smoke/tload_1M.blk 2>/dev/null); rc=$?
bytes() { sed -n 's/.*"proof_bytes":\([0-9]*\).*/\1/p' <<<"$1"; }
[ $rc -eq 0 ] && grep -q '"verified":true' <<<"$out" && grep -Eq '"passes":([2-9]|[1-9][0-9])' <<<"$out" &&
  grep -q '"passes":1,' <<<"$whole" && [ -n "$(bytes "$out")" ] && [ "$(bytes "$out")" = "$(bytes "$whole")" ] &&
  ok || bad "prove in passes: $rc $out"
err=$("$PKB" prove --trace-budget-mib 0 corpus/smoke/tload_1M.blk 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && grep -q -- "--trace-budget-mib: '0'" <<<"$err" && ok || bad "bad --trace-budget-mib: $rc $err"
err=$("$PKB" run --db "$T/tb.db" --trace-budget-mib -3 corpus/smoke/tload_1M.blk 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && grep -q -- "run: --trace-budget-mib: '-3'" <<<"$err" && ok || bad "run: bad --trace-budget-mib: $rc $err"
# with lookups the passes commit first, then prove: the same proofs, and the buses balance
whole=$("$PKB" prove --json --lookups --shard-log 12 corpus/smoke/tload_1M.blk 2>/dev/null)
out=$("$PKB" prove --json --lookups --shard-log 12 --trace-budget-mib 2 corpus/smoke/tload_1M.blk 2>/dev/null); rc=$?
[ $rc -eq 0 ] && grep -q '"verified":true' <<<"$out" && grep -Eq '"passes":([2-9]|[1-9][0-9])' <<<"$out" &&
  grep -q '"lookup_commit_ms":' <<<"$out" && [ -n "$(bytes "$out")" ] && [ "$(bytes "$out")" = "$(bytes "$whole")" ] &&
  ok || bad "prove --lookups in passes: $rc $out"
# --prove-keccak: the keccak table (here the stateless witness's hashing) is proven too
out=$("$PKB" prove --json --prove-keccak --shard-log 12 corpus/smoke/transfers_1M.blk 2>/dev/null); rc=$?
[ $rc -eq 0 ] && grep -q '"verified":true' <<<"$out" && grep -q '"proven_tables":\[[^]]*"keccak"' <<<"$out" && ok || bad "prove --prove-keccak: $rc $out"
out=$("$PKB" prove --json --shard-log 12 corpus/smoke/transfers_1M.blk 2>/dev/null)
grep -q '"proven_tables":\[[^]]*"keccak"' <<<"$out" && bad "keccak proven without --prove-keccak" || ok
# --prove-arith: the arith table (here sstore_new's 44 one-row instructions) is proven
# too (gen's mulmod blocks of 30k and 60k gas hold no transaction, and 100k gas gives
# 16k arith rows, too slow to prove here)
out=$("$PKB" prove --json --prove-arith --shard-log 12 corpus/smoke/sstore_new_1M.blk 2>/dev/null); rc=$?
[ $rc -eq 0 ] && grep -q '"verified":true' <<<"$out" && grep -q '"proven_tables":\[[^]]*"arith"' <<<"$out" && ok || bad "prove --prove-arith: $rc $out"
# --prove-precompiles, --prove-all reach the collector: the sha256 table's estimate moves
# from the sized part to the proven part (proving 2.4M rows of 631 columns is too slow
# here; test_precomp_tables proves its shards)
est() { "$PKB" prove --json --no-prove "$@" corpus/smoke/sha256_1M.blk 2>/dev/null |
  sed -n 's/.*"estimate_sized_ms":\([0-9.]*\).*/\1/p'; }
s0=$(est); s1=$(est --prove-precompiles); s2=$(est --prove-all)
awk -v a="$s0" -v b="$s1" -v c="$s2" 'BEGIN { exit !(a > 1000 && b < a / 10 && c == 0) }' && ok ||
  bad "--prove-precompiles/--prove-all: sized estimate $s0 -> $s1 -> $s2"
grep -q "zz_garbage.blk: offset" "$T/run.err" && ok || bad "invalid block reported on stderr"
# resume: nothing is redone, nothing duplicated
"$PKB" run --db "$T/r.db" --resume 1 "$T/c" >/dev/null 2>&1
[ "$(sqlite3 "$T/r.db" 'select count(*) from results')" = 3 ] && ok || bad "resume duplicated results"
"$PKB" run --db "$T/r.db" --resume 99 "$T/c" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "resume unknown run exit 2"
# bad database: refused with one line, file untouched
printf 'not a database at all, just text that is long enough to look like a header......' > "$T/bad.db"
before=$(sha256sum "$T/bad.db")
err=$("$PKB" run --db "$T/bad.db" "$T/c" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && ok || bad "bad db: rc=$rc err=$err"
[ "$before" = "$(sha256sum "$T/bad.db")" ] && ok || bad "bad db modified"
"$PKB" run --db "$T/r2.db" --slot 7x "$T/c" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "bad --slot exit 2"
"$PKB" run --db "$T/r2.db" "$T/nonexistent" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "missing corpus exit 2"
"$PKB" run --db "$T/r3.db" --no-prove --json "$T/c" > "$T/run.json" 2>/dev/null
[ "$(grep -c '"content_hash"' "$T/run.json")" = 3 ] && grep -q '"summary":true' "$T/run.json" && ok || bad "run --json"

# report: pictures are real PNG files, report.md agrees with the database
"$PKB" report --db "$T/r.db" --out "$T/rep" >/dev/null 2>"$T/rep.err" && ok || bad "report: $(cat "$T/rep.err")"
for f in latency_cdf.png slowest_run1.png phases_run1.png workers_run1.png classes_run1.png latency_cdf.svg; do
  [ -s "$T/rep/$f" ] && [ "$(stat -c %s "$T/rep/$f")" -gt 2000 ] && ok || bad "report picture $f missing or tiny"
done
for f in latency_cdf.png slowest_run1.png phases_run1.png workers_run1.png; do
  [ "$(head -c 8 "$T/rep/$f" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] && ok || bad "$f is not a PNG"
done
[ -s "$T/rep/index.html" ] && grep -q "latency_cdf.svg" "$T/rep/index.html" && ok || bad "index.html"
n_ok=$(sqlite3 "$T/r.db" "select count(*) from results where run_id=1 and status='ok'")
n_12=$(sqlite3 "$T/r.db" "select count(*) from results where run_id=1 and status='ok' and projected_latency_ms <= 12000")
grep -q "| 1 | .* | $n_ok | 0 | .*($n_12/$n_ok;" "$T/rep/report.md" && ok || bad "report.md disagrees with the database ($n_12/$n_ok)"
n_all=$(sqlite3 "$T/r.db" "select count(*) from results where run_id=1 and status='ok' and projected_latency_ms + sized_ms <= 12000")
grep -q "With every table (projected, not measured.*within 12 s [0-9.]*% ($n_all/$n_ok;" "$T/rep/report.md" && ok ||
  bad "report.md has the rate with every table ($n_all/$n_ok)"
"$PKB" report --db "$T/r.db" --out "$T/rep" 99 >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "report of an unknown run exit 2"
"$PKB" report --db "$T/bad.db" --out "$T/rep" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "report of a bad db exit 2"

# compare: an identical rerun passes the gate, a deliberately slowed prover fails it
mkdir -p "$T/g"
for s in jumpdest push32 swap16; do
  "$PKB" gen worst-case --gas-limit 150000 --scenario $s --out "$T/g" >/dev/null
done
"$PKB" run --db "$T/g.db" "$T/g" >/dev/null 2>&1
"$PKB" run --db "$T/g.db" "$T/g" >/dev/null 2>&1
"$PKB" run --db "$T/g.db" --extra-work 6 "$T/g" >/dev/null 2>&1
"$PKB" compare --db "$T/g.db" --threshold 150 1 2 >"$T/cmp.out" 2>&1; rc=$?
[ $rc -eq 0 ] && ok || bad "compare identical runs exit $rc: $(cat "$T/cmp.out")"
"$PKB" compare --db "$T/g.db" --threshold 150 1 3 >"$T/cmp.out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q REGRESSION "$T/cmp.out" && ok || bad "compare slowed run exit $rc: $(cat "$T/cmp.out")"
"$PKB" compare --db "$T/g.db" --json 1 3 | grep -q '"regression":true' && ok || bad "compare --json"
"$PKB" compare --db "$T/g.db" 1 >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "compare one run exit 2"
"$PKB" compare --db "$T/g.db" 1 42 >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "compare unknown run exit 2"

# SIGKILL mid-run, then --resume: no finished result lost, none duplicated
"$PKB" run --db "$T/k.db" --extra-work 4 "$T/g" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 2400); do
  n=$(sqlite3 "$T/k.db" "select count(*) from results" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 1 ] && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
done_before=$(sqlite3 "$T/k.db" "select count(*) from results")
[ "$done_before" -ge 1 ] && [ "$done_before" -lt 3 ] && ok || bad "kill mid-run left $done_before results (want 1 or 2)"
"$PKB" run --db "$T/k.db" --resume 1 "$T/g" >/dev/null 2>&1 && ok || bad "resume after kill"
[ "$(sqlite3 "$T/k.db" "select count(*) from results where run_id=1")" = 3 ] && ok || bad "resume did not complete the run"
[ "$(sqlite3 "$T/k.db" "select count(distinct block_id) from results where run_id=1")" = 3 ] && ok || bad "resume duplicated a block"

# hunt: a short search writes a proven winner with provenance, and a killer row
"$PKB" hunt --gas-limit 300000 --eval-gas 200000 --evals 40 --seed 3 --db "$T/h.db" --out "$T/kill" >"$T/hunt.out" 2>"$T/hunt.err"; rc=$?
[ $rc -eq 0 ] && ok || bad "hunt exit $rc: $(tail -3 "$T/hunt.err")"
grep -q "^best: " "$T/hunt.out" && grep -q "every proof verified" "$T/hunt.out" && ok || bad "hunt summary: $(cat "$T/hunt.out")"
blk=$(ls "$T/kill"/*.blk 2>/dev/null | head -1)
[ -n "$blk" ] && [ -s "${blk%.blk}.json" ] && ok || bad "hunt wrote no winner"
for k in objective_value gas_used estimate_ms measured_prove_ms found_by; do
  grep -q "\"$k\":" "${blk%.blk}.json" && ok || bad "provenance lacks $k"
done
"$PKB" prove "$blk" >/dev/null 2>&1 && ok || bad "the hunted block proves"
nk=$(ls "$T/kill"/*.blk | wc -l)
[ "$nk" -ge 2 ] && grep -c "^winner [0-9]*: " "$T/hunt.out" | grep -qx "$nk" && ok || bad "hunt kept $nk winners: $(cat "$T/hunt.out")"
[ "$(sqlite3 "$T/h.db" "select count(*) from killers where found_by='hunt'")" = "$nk" ] && ok || bad "hunt killer rows"
[ "$(sqlite3 "$T/h.db" "select count(*) from results where status='ok' and prove_ms > 0")" = "$nk" ] && ok || bad "hunt results"
"$PKB" hunt --objective zkvm-cycles --gas-limit 300000 --eval-gas 200000 --evals 40 --db "$T/h.db" --out "$T/killz" >"$T/huntz.out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "estimated zkVM cycles per gas (profile sp1" "$T/huntz.out" && ok || bad "hunt zkvm-cycles exit $rc"
[ "$(sqlite3 "$T/h.db" "select count(*) from killers where objective like 'zkvm_cycles_per_gas:%'")" = "$(ls "$T/killz"/*.blk | wc -l)" ] && ok || bad "zkvm killer rows"
"$PKB" hunt --objective zkvm-cycles --cycles-profile nope --evals 5 --db "$T/h.db" --out "$T/killz" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "unknown cycle profile exit 2"
# the prove-time objective on another hardware profile (a GPU's), and bad names
"$PKB" hunt --gas-limit 300000 --eval-gas 200000 --evals 20 --no-prove --profile nvidia-h100-80gb-hbm3 \
  --db "$T/h.db" --out "$T/killg" >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(sqlite3 "$T/h.db" "select profile from runs order by id desc limit 1")" = nvidia-h100-80gb-hbm3 ] &&
  ok || bad "hunt --profile of a GPU: exit $rc"
err=$("$PKB" hunt --evals 5 --profile nope --db "$T/h.db" --out "$T/killg" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && grep -q "no such profile" <<<"$err" && ok || bad "hunt --profile nope: exit $rc: $err"
"$PKB" hunt --evals 5 --backend tpu --db "$T/h.db" --out "$T/killg" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "hunt --backend tpu not exit 2"

# partition and sample: three machines cover the corpus once between them; a sample is seeded
total=$(ls corpus/smoke/*.blk | wc -l)
sum=0
for p in 1/3 2/3 3/3; do
  "$PKB" run --no-prove --db "$T/part${p%/*}.db" --partition $p corpus/smoke >/dev/null 2>&1 || bad "partition $p"
  n=$(sqlite3 "$T/part${p%/*}.db" "select count(*) from results"); sum=$((sum + n))
  "$PKB" import --db "$T/part${p%/*}.db" --into "$T/parts.db" >/dev/null || bad "merge partition $p"
done
[ "$sum" -eq "$total" ] && ok || bad "partitions cover $sum of $total blocks"
[ "$(sqlite3 "$T/parts.db" "select count(distinct block_id) from results")" -eq "$total" ] && ok || bad "merged partitions"
a=$("$PKB" run --no-prove --db "$T/s1.db" --sample 4 --seed 7 corpus/smoke | grep -c Osaka)
b=$("$PKB" run --no-prove --db "$T/s2.db" --sample 4 --seed 7 corpus/smoke | md5sum)
c=$("$PKB" run --no-prove --db "$T/s3.db" --sample 4 --seed 7 corpus/smoke | md5sum)
[ "$a" = 4 ] && [ "$(sqlite3 "$T/s2.db" "select group_concat(block_id) from results")" = "$(sqlite3 "$T/s3.db" "select group_concat(block_id) from results")" ] && ok || bad "seeded sample"

# --prover-cmd: an external prover is timed on the exported fixture; failures and timeouts recorded
"$PKB" run --db "$T/x.db" --prover-cmd 'grep -q "\"post\"" {fixture}' "$T/g" >"$T/x.out" 2>&1 && ok || bad "prover-cmd run"
[ "$(sqlite3 "$T/x.db" "select count(*) from results where status='ok' and projection_label='measured:external'")" = 3 ] && ok || bad "external results"
grep -q "external prover command" "$T/x.out" && ok || bad "external summary"
"$PKB" run --db "$T/x2.db" --prover-cmd 'exit 3 # {fixture}' "$T/g" >/dev/null 2>&1
[ "$(sqlite3 "$T/x2.db" "select count(*) from results where status='failed' and reason like '%status 3%'")" = 3 ] && ok || bad "external failure recorded"
"$PKB" run --db "$T/x3.db" --prover-cmd 'sleep 10 # {fixture}' --timeout 1 "$T/g" >/dev/null 2>&1
[ "$(sqlite3 "$T/x3.db" "select count(*) from results where status='timeout'")" = 3 ] && ok || bad "external timeout recorded"
"$PKB" run --db "$T/x4.db" --prover-cmd 'true' "$T/g" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "prover-cmd without {fixture} exit 2"
# the in-tree prover gives up between shards: small shards, 1 s, a slowed prover
"$PKB" run --db "$T/x5.db" --timeout 1 --shard-log 8 --extra-work 20 "$T/g" >/dev/null 2>&1
[ "$(sqlite3 "$T/x5.db" "select count(*) from results where status='timeout' and reason like 'gave up after 1000 ms%'")" -ge 1 ] && ok || bad "in-tree timeout recorded"

# cost: the per-operation table, recorded and drawn
"$PKB" cost --gas-limit 150000 --only jumpdest --json --db "$T/cost.db" >"$T/cost.json" 2>&1 && ok || bad "cost exit"
grep -q '"name":"jumpdest"' "$T/cost.json" && grep -q '"prove_ms_per_mgas":[0-9]' "$T/cost.json" && grep -q '"zkvm_cycles_per_gas":[0-9]' "$T/cost.json" && ok || bad "cost --json fields"
"$PKB" report --db "$T/cost.db" --out "$T/crep" >/dev/null 2>&1 && [ -s "$T/crep/cost_run1.png" ] && ok || bad "report draws the cost run"
# the precompiles the patterns do not call are rows of the table too
out=$("$PKB" cost --gas-limit 150000 --only bls12_pairing --no-prove --json 2>&1)
grep -q '"name":"bls12_pairing"' <<<"$out" && grep -q '"estimate_ms_per_mgas":[1-9]' <<<"$out" && ok || bad "cost --only bls12_pairing: $out"

# bench: every area runs (quick sizes) and prints the fields other tools read
"$PKB" bench --quick --json ntt hash stark precompiles evm hunt >"$T/bench.json" 2>&1 && ok || bad "bench --quick"
for k in bench size threads median_ms per_s; do
  [ "$(grep -c "\"$k\":" "$T/bench.json")" -eq "$(wc -l <"$T/bench.json")" ] && ok || bad "bench line without $k"
done
grep -q '"bench":"evm".*"mgas_per_s":' "$T/bench.json" && grep -q '"bench":"precompiles".*"us_per_call":' "$T/bench.json" && ok || bad "bench evm/precompiles fields"
grep -q '"bench":"hunt","variant":"eval/plain".*"unit":"percent"' "$T/bench.json" && ok || bad "bench hunt ratio"
for b in ntt poseidon2 merkle prove; do grep -q "\"bench\":\"$b\"" "$T/bench.json" && ok || bad "bench lacks $b"; done
"$PKB" bench nosuch >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "bench unknown area exit 2"

# import: merge a database twice (the second adds nothing); fixtures to blocks
"$PKB" import --db "$T/r.db" --into "$T/m.db" | grep -q "1 runs, 3 blocks, 3 results" && ok || bad "merge adds the run"
"$PKB" import --db "$T/r.db" --into "$T/m.db" | grep -q "0 runs, 0 blocks, 0 results" && ok || bad "second merge adds nothing"
"$PKB" import --db "$T/bad.db" --into "$T/m.db" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "merge of a bad db exit 2"
"$PKB" import --out "$T/imp" "$T/garbage.blk" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "import of a non-fixture exit 2"
SHARED=../shared/conformance/state/stExample/add11.json
if [ -f "$SHARED" ]; then
  "$PKB" import --out "$T/imp" "$SHARED" >/dev/null && ok || bad "import add11"
  "$PKB" prove "$T/imp/add11_Cancun_0.blk" >/dev/null 2>&1 && ok || bad "prove an imported block"
else
  echo "skipped: import of a shared fixture (../shared/conformance not found)"
fi

echo "e2e_cli: $((checks-fails)) passed, $fails failed"
[ $fails -eq 0 ]
