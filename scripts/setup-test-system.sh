#!/usr/bin/env bash
# System services and packages the tests need: Debian's chromium for the browser test, poppler-utils
# (pdftoppm) to look at every page of a report's PDF, and a running PostgreSQL server on
# 127.0.0.1:5432. Each step is skipped when already in place.
set -uo pipefail
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "setup-test-system: could not install chromium; the browser test will be skipped" >&2
fi
if ! command -v pdftoppm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null) \
    || echo "setup-test-system: could not install poppler-utils; the PDF page check will be skipped" >&2
fi
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi
exit 0
