#!/bin/sh
# custodian-hooks merge driver
# Installed by `custodian-hooks install` as git's merge driver for workplans; `custodian-hooks uninstall` removes it.
# git passes %O %A %B %L %P %S %X %Y. Where node or the CLI has gone, the merge is git's own text merge.
# Shell builtins only: git may run it with a PATH that has little on it.
node="@NODE@"
cli="@CLI@"
[ -x "$node" ] || node=$(command -v node) || node=""
[ -f "$cli" ] || cli=$(command -v custodian-hooks) || cli=""
# The driver keeps what it needs of its own beside this script.
[ -n "$node" ] && [ -n "$cli" ] && CUSTODIAN_MERGE_HOME="${0%/*}" exec "$node" "$cli" merge-driver "$@"
echo "custodian-hooks merge driver: node or the CLI is gone (reinstall: npx custodian-hooks install); $5 merged as text" >&2
exec git merge-file --marker-size="$4" -L HEAD -L base -L theirs "$2" "$1" "$3"
