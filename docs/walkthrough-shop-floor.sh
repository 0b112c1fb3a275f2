#!/usr/bin/env bash
# Runs the shop-floor walk-through against a real server (a fresh data dir) and prints the
# markdown body of docs/walkthrough-shop-floor.md: each command and what it answered.
#   cargo build && docs/walkthrough-shop-floor.sh > /tmp/walk.md
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PRESSWORK_BIN:-target/debug/presswork}
DATA=$(mktemp -d)
OUT=$(mktemp)
PORT=${PORT:-18381}
PRESSWORK_ADMIN_PASSWORD=walkthrough-pw PRESSWORK_NO_BROWSER=1 PRESSWORK_LOG=warn \
  $BIN --data-dir "$DATA" serve --addr 127.0.0.1:$PORT > "$OUT" 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "$DATA" "$OUT"' EXIT
for i in $(seq 1 100); do grep -q "listening on" "$OUT" && break; sleep 0.1; done

show() {  # show "<shell command>": prints it, runs it, prints its output
  printf '```console\n$ %s\n' "$1"
  eval "$1" 2>&1
  printf '```\n\n'
}
say() { printf '%s\n\n' "$*"; }

export API=http://127.0.0.1:$PORT/api/v1
j() { curl -s -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "${@:2}"; }
export -f j

say "## 0. Sign in and set up two operators"
show 'ADMIN=$(curl -s $API/auth/login -d '"'"'{"username":"admin","password":"walkthrough-pw"}'"'"' | jq -r .token)'
show 'j $ADMIN $API/users -d '"'"'{"username":"li","display_name":"李师傅","role":"operator","password":"li-secret-1","departments":["PREPRESS","PRINTING"]}'"'"' | jq -c "{id,username,role,department_ids}"'
show 'j $ADMIN $API/users -d '"'"'{"username":"zhao","display_name":"赵师傅","role":"operator","password":"zhao-secret-1","departments":["DIECUT"]}'"'"' | jq -c "{id,username,role,department_ids}"'
show 'LI=$(curl -s $API/auth/login -d '"'"'{"username":"li","password":"li-secret-1"}'"'"' | jq -r .token)'
show 'ZHAO=$(curl -s $API/auth/login -d '"'"'{"username":"zhao","password":"zhao-secret-1"}'"'"' | jq -r .token)'

say "## 1. A work order: plates (parallel), printing, die-cutting — 5000 boxes"
show 'j $ADMIN $API/processes | jq -c "[.[] | select(.code==\"CTP\" or .code==\"PRT\" or .code==\"DIE\") | {id,code,name_zh,parallel}]"'
show 'ORDER=$(j $ADMIN $API/work-orders -d '"'"'{"customer":"华彩包装","product":"彩盒 Color box","quantity":5000,"due_date":"2026-12-20","priority":"high","unit_price":0.35,"processes":[{"process_id":1},{"process_id":3},{"process_id":11}]}'"'"' | jq .id); echo $ORDER'

say "## 2. Publish: approving the order puts every task in its department's pool"
show 'j $ADMIN -X POST $API/work-orders/$ORDER/approve | jq -c "{status, tasks: [.tasks[] | {id, process_code, status, quantity, available_qty, ready}]}"'
show 'read CTP PRT DIE <<< $(j $ADMIN "$API/tasks?work_order_id=$ORDER" | jq -r "[.items | sort_by(.sequence)[] | .id] | @tsv"); echo $CTP $PRT $DIE'

say "## 3. What can I start now? Die-cutting has nothing yet: printing has not handed anything on"
show 'j $LI "$API/tasks?ready=true" | jq -c "[.items[] | {id, process_code, available_qty}]"'
show 'j $ZHAO "$API/tasks?ready=true" | jq -c "[.items[] | {id, process_code, available_qty}]"'
show 'j $ZHAO -X POST $API/tasks/$DIE/claim | jq -c "{id, status, available_qty, ready}"'
show 'j $ZHAO -X POST $API/tasks/$DIE/start | jq -c .'

say "## 4. Li makes the plates, then claims and starts printing"
show 'j $LI -X POST $API/tasks/$CTP/claim | jq -c "{id, status}"'
show 'j $LI -X POST $API/tasks/$CTP/start | jq -c "{id, status}"'
show 'j $LI $API/tasks/$CTP/complete -d '"'"'{"good":4}'"'"' | jq -c "{id, status, good_qty, worked_ms}"'
show 'j $ADMIN $API/work-orders/$ORDER | jq -c "{number, status}"'
show 'j $LI -X POST $API/tasks/$PRT/claim | jq -c "{id, status, operator_name}"'
show 'j $LI -X POST $API/tasks/$PRT/start | jq -c "{id, status, started_at, running_since}"'

say "## 5. A partial report: 2000 good sheets (and 30 make-ready waste) make die-cutting ready"
show 'j $LI $API/scrap-reasons | jq -c "[.[] | {code, name_zh, name_en}]"'
show 'j $LI $API/tasks/$PRT/progress -d '"'"'{"good":2000,"scrap":30,"scrap_reason":"MAKE_READY"}'"'"' | jq -c "{id, good_qty, scrap_qty}"'
show 'j $ZHAO "$API/tasks?ready=true" | jq -c "[.items[] | {id, process_code, status, available_qty, ready}]"'

say "## 6. Downstream starts on what has reached it, and cannot report more than that"
show 'j $ZHAO -X POST $API/tasks/$DIE/start | jq -c "{id, status, available_qty}"'
show 'j $ZHAO $API/tasks/$DIE/progress -d '"'"'{"good":2100}'"'"' | jq -c .'
show 'j $ZHAO $API/tasks/$DIE/progress -d '"'"'{"good":1980,"scrap":20,"scrap_reason":"DEFECT"}'"'"' | jq -c "{id, good_qty, scrap_qty, available_qty}"'

say "## 7. Scrap needs a reason code; printing pauses for lunch and completes with a final report"
show 'j $LI $API/tasks/$PRT/progress -d '"'"'{"scrap":5}'"'"' | jq -c .'
show 'j $LI -X POST $API/tasks/$PRT/pause | jq -c "{id, status, worked_ms, running_since}"'
show 'j $LI -X POST $API/tasks/$PRT/resume | jq -c "{id, status, worked_ms}"'
show 'j $LI $API/tasks/$PRT/complete -d '"'"'{"good":2900,"scrap":70,"scrap_reason":"RUN_WASTE"}'"'"' | jq -c "{id, status, good_qty, scrap_qty, worked_ms}"'

say "## 8. Die-cutting finishes the rest; the order completes by itself"
show 'j $ZHAO $API/tasks/$DIE | jq -c "{id, available_qty, good_qty, scrap_qty}"'
show 'j $ZHAO $API/tasks/$DIE/complete -d '"'"'{"good":2880,"scrap":20,"scrap_reason":"DEFECT"}'"'"' | jq -c "{id, status, good_qty, scrap_qty}"'
show 'j $ADMIN $API/work-orders/$ORDER | jq -c "{number, status, tasks_total, tasks_completed}"'

say "## 9. The order's history, as the operator sees it (no prices) and as the admin sees it"
show 'j $ZHAO $API/work-orders/$ORDER/history | jq -r ".items[] | [.id, .kind, .actor_name, (.data.task.process_code // \"\")] | @tsv"'
show 'j $ADMIN $API/work-orders/$ORDER/history | jq -c "[.items[] | select(.kind==\"work_order.created\") | .data]"'
show 'j $ZHAO $API/work-orders/$ORDER/history | jq -c "[.items[] | select(.kind==\"work_order.created\") | .data]"'
