#!/usr/bin/env bash
# Schema fuzzing: schemathesis (from PyPI) against /api/v1/openapi.json of a fresh server,
# signed in as each role in turn. Passes when no check fails: no server error, every response
# matches the document (status, content type, body schema), schema-violating input refused.
#
# `positive_data_acceptance` is left out: the schema cannot say "this process id exists" or
# "this order is still a draft", so schema-valid requests are rightly refused with 404/409/422.
#
# Usage: bash tests/fuzz/schemathesis.sh [max-examples]   (result: docs/fuzzing.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
EXAMPLES=${1:-40}

command -v schemathesis >/dev/null || pip install -q schemathesis
cargo build -q
DIR=$(mktemp -d)
LOG=$DIR/stdout
PRESSWORK_ADMIN_PASSWORD=fuzz-admin-pw PRESSWORK_LOG=error PRESSWORK_NO_BROWSER=1 \
    ./target/debug/presswork --data-dir "$DIR" serve --addr 127.0.0.1:0 > "$LOG" 2> "$DIR/stderr" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
BASE=$(grep -o 'http://[0-9.:]*' "$LOG" | head -1)
API=$BASE/api/v1

token() { curl -sf "$API/auth/login" -d "{\"username\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
# The first admin is created just after the server starts listening.
for _ in $(seq 50); do ADMIN=$(token admin fuzz-admin-pw 2>/dev/null) && break; sleep 0.2; done
for spec in "maker:maker:" "manager:manager:" "supervisor:supervisor:PRINTING" "operator:operator:PRINTING"; do
    IFS=: read -r name role dept <<< "$spec"
    depts=$([ -n "$dept" ] && echo "[\"$dept\"]" || echo "[]")
    curl -sf -H "Authorization: Bearer $ADMIN" "$API/users" \
        -d "{\"username\":\"$name\",\"role\":\"$role\",\"password\":\"fuzz-password\",\"departments\":$depts}" > /dev/null
done
# Some real rows, so ids in paths find something.
curl -sf -H "Authorization: Bearer $ADMIN" "$API/work-orders" -d '{"customer":"c","product":"p","quantity":10,"due_date":"2026-12-01","processes":[{"process_id":3},{"process_id":11}]}' > /dev/null
curl -sf -H "Authorization: Bearer $ADMIN" -X POST "$API/work-orders/1/approve" > /dev/null

status=0
report="# Schema fuzzing (schemathesis)\n\nDate: $(date -u +%Y-%m-%d), $(schemathesis --version), command: \`bash tests/fuzz/schemathesis.sh $EXAMPLES\`\n\n| role | test cases | failures |\n|---|---|---|\n"
# Admin last: its run may change the other users (passwords, deactivation) through the admin API.
for role in maker manager supervisor operator admin; do
    pw=$([ "$role" = admin ] && echo fuzz-admin-pw || echo fuzz-password)
    TOKEN=$(token "$role" "$pw")
    out=$DIR/st-$role.log
    if schemathesis run "$API/openapi.json" -H "Authorization: Bearer $TOKEN" \
        --checks all --exclude-checks positive_data_acceptance \
        --exclude-path /api/v1/auth/logout --max-examples "$EXAMPLES" --seed 1 > "$out" 2>&1; then
        result="0"
    else
        result="see log"; status=1
        grep -A14 '^- ' "$out" | head -60
    fi
    cases=$(grep -oE '[0-9]+ generated' "$out" | head -1 || true)
    echo "$role: $cases, failures: $result"
    report+="| $role | ${cases:-?} | $result |\n"
done
if grep -q "panicked" "$DIR/stderr"; then echo "the server log has a panic"; status=1; fi
mkdir -p docs
printf "%b\nServer panics in the log: %s\n" "$report" "$(grep -c panicked "$DIR/stderr" || true)" > docs/fuzzing.md
exit $status
