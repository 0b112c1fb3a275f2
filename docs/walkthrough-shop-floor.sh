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
PRESSWORK_ADMIN_PASSWORD=admin-pw-123 PRESSWORK_NO_BROWSER=1 PRESSWORK_LOG=warn \
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
show 'ADMIN=$(curl -s $API/auth/login -d '"'"'{"username":"admin","password":"admin-pw-123"}'"'"' | jq -r .token)'
show 'j $ADMIN $API/users -d '"'"'{"username":"li","display_name":"李师傅","role":"operator","password":"li-secret-1","departments":["PREPRESS","PRINTING"]}'"'"' | jq -c "{id,username,display_name,role,department_ids}"'
show 'j $ADMIN $API/users -d '"'"'{"username":"zhao","display_name":"赵师傅","role":"operator","password":"zhao-secret-1","departments":["DIECUT"]}'"'"' | jq -c "{id,username,display_name,role,department_ids}"'
show 'LI=$(curl -s $API/auth/login -d '"'"'{"username":"li","password":"li-secret-1"}'"'"' | jq -r .token)'
show 'ZHAO=$(curl -s $API/auth/login -d '"'"'{"username":"zhao","password":"zhao-secret-1"}'"'"' | jq -r .token)'

say "## 1. A work order with its print spec: 4800 boxes, 4+0 colours, one up, 200 overs"
show 'j $ADMIN $API/processes | jq -c "[.[] | select(.code==\"CTP\" or .code==\"PRT\" or .code==\"DIE\") | {id,code,name_zh,unit,default_step,gates}]"'
show 'j $ADMIN $API/gates | jq -c "[.[] | {code,name_zh,name_en}]"'
say "Plate making counts its plates from the colours, so a plate line on an order without colours is refused:"
show 'j $ADMIN $API/work-orders -d '"'"'{"customer":"华彩包装","product":"彩盒 Color box","quantity":4800,"due_date":"2026-12-20","processes":[{"process_id":1},{"process_id":3},{"process_id":11}]}'"'"' | jq -c .'
show 'ORDER=$(j $ADMIN $API/work-orders -d '"'"'{"customer":"华彩包装","product":"彩盒 Color box","quantity":4800,"due_date":"2026-12-20","priority":"high","unit_price":0.35,"colors_front":4,"colors_back":0,"ups":1,"overs":200,"gsm":350,"sheet_size":"787×1092","processes":[{"process_id":1},{"process_id":3},{"process_id":11}]}'"'"' | jq .id); echo $ORDER'
show 'j $ADMIN $API/work-orders/$ORDER | jq -c "{number, quantity, colors_front, colors_back, ups, overs, gsm, sheet_size, lines: [.lines[] | {process_code, step, unit, quantity}]}"'
show 'j $ADMIN $API/work-orders/$ORDER | jq -c "[.gates[] | {code, name_zh, done_at}]"'

say "## 2. Publish: approving the order puts every task in its department's pool, each with what it waits for"
show 'j $ADMIN -X POST $API/work-orders/$ORDER/approve | jq -c "{status, tasks: [.tasks[] | {id, process_code, step, unit, status, quantity, available_qty, ready, blocked_by}]}"'
show 'read CTP PRT DIE <<< $(j $ADMIN "$API/tasks?work_order_id=$ORDER" | jq -r "[.items | sort_by(.step)[] | .id] | @tsv"); echo $CTP $PRT $DIE'

say "## 3. What can I start now? Only the plates: printing waits for them and two gates, die-cutting for printing and the die"
show 'j $LI "$API/tasks?ready=true" | jq -c "[.items[] | {id, process_code, unit, available_qty, actions}]"'
show 'j $ZHAO "$API/tasks?ready=true" | jq -c "[.items[] | {id, process_code, available_qty}]"'
show 'j $ZHAO -X POST $API/tasks/$DIE/claim | jq -c "{id, status, available_qty, ready, actions}"'
show 'j $ZHAO -X POST $API/tasks/$DIE/start | jq -c .'

say "## 4. Li makes the plates; the plate step is a gate, so printing waits until all four are made"
show 'j $LI -X POST $API/tasks/$CTP/claim | jq -c "{id, status, actions}"'
show 'j $LI -X POST $API/tasks/$CTP/start | jq -c "{id, status, actions}"'
show 'j $LI $API/tasks/$CTP/progress -d '"'"'{"good":2}'"'"' | jq -c "{id, unit, quantity, good_qty}"'
show 'j $LI $API/tasks/$PRT | jq -c "{id, available_qty, ready, blocked_by}"'
show 'j $LI $API/tasks/$CTP/complete -d '"'"'{"good_total":4}'"'"' | jq -c "{id, status, unit, good_qty, worked_ms}"'
show 'j $ADMIN $API/work-orders/$ORDER | jq -c "{number, status}"'
show 'j $LI -X POST $API/tasks/$PRT/claim | jq -c "{id, status, operator_name, available_qty, ready}"'
show 'j $LI -X POST $API/tasks/$PRT/start | jq -c .'

say "## 5. The gates are ticked as the paper, the signed proof and the die arrive (a supervisor's, maker's, manager's or admin's job)"
show 'j $LI $API/work-orders/$ORDER/gates/paper_ready -d '"'"'{"done":true}'"'"' | jq -c .'
show 'j $ADMIN $API/work-orders/$ORDER/gates/paper_ready -d '"'"'{"done":true}'"'"' | jq -c "[.[] | {code, done_at, done_by_name}]"'
show 'j $ADMIN $API/work-orders/$ORDER/gates/proof_approved -d '"'"'{"done":true}'"'"' | jq -c "[.[] | {code, done_by_name}]"'
show 'j $ADMIN $API/work-orders/$ORDER/gates/die_ready -d '"'"'{"done":true}'"'"' | jq -c "[.[] | {code, done_by_name}]"'
show 'j $LI -X POST $API/tasks/$PRT/start | jq -c "{id, status, started_at, running_since, actions}"'
show 'j $ZHAO $API/tasks/$DIE | jq -c "{id, available_qty, ready, blocked_by}"'

say "## 6. A partial report: 2000 good sheets (and 30 make-ready waste) make die-cutting ready"
show 'j $LI $API/scrap-reasons | jq -c "[.[] | {code, name_zh, name_en}]"'
show 'j $LI $API/tasks/$PRT/progress -d '"'"'{"good":2000,"scrap":30,"scrap_reason":"MAKE_READY"}'"'"' | jq -c "{id, unit, good_qty, scrap_qty}"'
show 'j $ZHAO "$API/tasks?ready=true" | jq -c "[.items[] | {id, process_code, status, available_qty, ready, blocked_by, actions}]"'

say "## 7. Downstream starts on what has reached it, cannot report more than that, and cannot finish before printing"
show 'j $ZHAO -X POST $API/tasks/$DIE/start | jq -c "{id, status, available_qty}"'
show 'j $ZHAO $API/tasks/$DIE/progress -d '"'"'{"good":2100}'"'"' | jq -c .'
show 'j $ZHAO $API/tasks/$DIE/progress -d '"'"'{"good":1980,"scrap":20,"scrap_reason":"DEFECT"}'"'"' | jq -c "{id, good_qty, scrap_qty, available_qty}"'
show 'j $ZHAO $API/tasks/$DIE/complete -d '"'"'{"good_total":1980}'"'"' | jq -c .'

say "## 8. Scrap needs a reason code; printing pauses for lunch and completes with its final totals"
show 'j $LI $API/tasks/$PRT/progress -d '"'"'{"scrap":5}'"'"' | jq -c .'
show 'j $LI -X POST $API/tasks/$PRT/pause | jq -c "{id, status, worked_ms, running_since, actions}"'
show 'j $LI -X POST $API/tasks/$PRT/resume | jq -c "{id, status, worked_ms}"'
say "4900 good and 100 scrap in all: the 70 scrap beyond the 30 reported need a reason, and finishing short of the 5000 sheets planned needs one too:"
show 'j $LI $API/tasks/$PRT/complete -d '"'"'{"good_total":4900,"scrap_total":100,"scrap_reason":"RUN_WASTE"}'"'"' | jq -c .'
show 'j $LI $API/tasks/$PRT/complete -d '"'"'{"good_total":4900,"scrap_total":100,"scrap_reason":"RUN_WASTE","shortfall_reason":"纸张不足 short of paper"}'"'"' | jq -c "{id, status, good_qty, scrap_qty, shortfall_reason, worked_ms}"'

say "## 9. Die-cutting finishes on what reached it; the order completes by itself"
show 'j $ZHAO $API/tasks/$DIE | jq -c "{id, quantity, available_qty, good_qty, scrap_qty}"'
show 'j $ZHAO $API/tasks/$DIE/complete -d '"'"'{"good_total":4880,"scrap_total":20,"scrap_reason":"DEFECT","shortfall_reason":"印刷少100张"}'"'"' | jq -c "{id, status, good_qty, scrap_qty, shortfall_reason}"'
show 'j $ADMIN $API/work-orders/$ORDER | jq -c "{number, status, tasks_total, tasks_completed}"'

say "## 10. The order's history, as the operator sees it (no prices) and as the admin sees it"
show 'j $ZHAO $API/work-orders/$ORDER/history | jq -r ".items[] | [.id, .kind, .actor_name, (.data.task.process_code // .data.gate // \"\")] | @tsv"'
show 'j $ADMIN $API/work-orders/$ORDER/history | jq -c "[.items[] | select(.kind==\"work_order.created\") | .data]"'
show 'j $ZHAO $API/work-orders/$ORDER/history | jq -c "[.items[] | select(.kind==\"work_order.created\") | .data]"'
