#!/bin/sh
# custodian-hooks shim: @HOOK@
# Installed by `custodian-hooks install`; `custodian-hooks uninstall` removes it and restores what was here.
# CUSTODIAN_HOOKS=0 skips it; CUSTODIAN_DEBUG=1 traces it. It never fails or blocks the git operation.
# Shell builtins only: a hook may run with a PATH that has little on it.
[ "${CUSTODIAN_DEBUG-}" = "1" ] && set -x
hook="@HOOK@"
node="@NODE@"
cli="@CLI@"
chained="${0%/*}/.custodian-chained/$hook"

# pre-push (pushed refs) and post-rewrite (old and new commits) read stdin; the chained hook and ours each get it.
input=""
if [ "$hook" = "pre-push" ] || [ "$hook" = "post-rewrite" ]; then
  while IFS= read -r line; do input="$input$line
"; done
fi

if [ -x "$chained" ]; then
  printf '%s' "$input" | "$chained" "$@"
  code=$?
  # The hook that was here before keeps its say over a push.
  [ "$hook" = "pre-push" ] && [ $code -ne 0 ] && exit $code
fi
[ "${CUSTODIAN_HOOKS-}" = "0" ] && exit 0
# post-commit matters only where the commit concludes a merge git could not finish itself (a
# conflicted pull), which runs no post-merge: one git question, and node only then.
if [ "$hook" = "post-commit" ]; then
  git rev-parse -q --verify "HEAD^2" >/dev/null 2>&1 || exit 0
fi

[ -x "$node" ] || node=$(command -v node) || { echo "custodian-hooks - $hook skipped: node not found" >&2; exit 0; }
[ -f "$cli" ] || cli=$(command -v custodian-hooks) || { echo "custodian-hooks - $hook skipped: CLI not found (reinstall: npx custodian-hooks install)" >&2; exit 0; }
printf '%s' "$input" | "$node" "$cli" run --hook "$hook" -- "$@" || echo "custodian-hooks - $hook failed (code $?)" >&2
exit 0
