#!/usr/bin/env bash
# Stand-in for Prisma's native schema engine, which cannot be downloaded here
# (README "Database and migrations (offline)"). `prisma generate` only needs the path
# PRISMA_SCHEMA_ENGINE_BINARY to exist; any command that really starts the
# engine (migrate, db push, db pull, …) ends up here and fails.
#
# Shaped after how the Prisma 7.10 CLI reads a failing engine:
# - one-shot commands (migrate status/deploy/reset, db push): the CLI drops the
#   first stderr line and parses the rest as JSON log records, so the message
#   is printed twice: for a person, and as a record the CLI shows after
#   "Schema engine error:" (no trailing newline: an empty last line would be
#   parsed as JSON too);
# - JSON-RPC commands (migrate diff, db pull): an engine that merely exits made
#   the CLI end silently with status 0, so the first request gets a JSON-RPC
#   error reply carrying the message (the wait is brief: one-shot modes send none).
MESSAGE="Charter: use npm run db:… (the Prisma CLI's schema engine is not available offline)"
if read -r -t 2 request 2>/dev/null && [[ $request =~ \"id\":([0-9]+) ]]; then
  printf '{"jsonrpc":"2.0","id":%s,"error":{"code":4466,"message":"%s","data":{"is_panic":false,"message":"%s","meta":{}}}}\n' \
    "${BASH_REMATCH[1]}" "$MESSAGE" "$MESSAGE"
fi
printf '%s\n{"level":"ERROR","target":"charter","fields":{"message":"%s"}}' "$MESSAGE" "$MESSAGE" >&2
exit 1
