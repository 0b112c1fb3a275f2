#!/usr/bin/env bash
# The whole presswork test suite, on a fresh machine of this kind: installs what the browser
# tests need (Debian's chromium and chromium-driver) when it is missing, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "== installing chromium and chromium-driver (browser tests)"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# A CJK font, so the Chinese screenshots in screenshots/ are readable (tests pass without it).
if command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh | grep -q .; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null || true
fi

echo "== cargo test"
cargo test --all-targets --locked -- --test-threads="${PRESSWORK_TEST_THREADS:-4}"
