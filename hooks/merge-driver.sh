#!/bin/sh
# custodian-hooks merge driver
# Installed by `custodian-hooks install` as git's merge driver for workplans; `custodian-hooks uninstall` removes it.
# git passes %O %A %B %L %P %S %X %Y. Where the CLI has gone, the merge is git's own text merge.
# Shell builtins only: git may run it with a PATH that has little on it.
node="@NODE@"
cli="@CLI@"
# The driver keeps what it needs of its own beside this script, by its absolute path: git's
# command names the script relative to the working tree.
CUSTODIAN_MERGE_HOME=$(CDPATH= cd -P -- "${0%/*}" >/dev/null && pwd)
export CUSTODIAN_MERGE_HOME
if [ -f "$cli" ]; then
  [ -x "$node" ] || node=$(command -v node) || node=""
  [ -n "$node" ] && exec "$node" "$cli" merge-driver "$@"
fi
# Installed elsewhere (a package manager's bin, which may be a script of its own): run as it is.
command -v custodian-hooks >/dev/null 2>&1 && exec custodian-hooks merge-driver "$@"
echo "custodian-hooks merge driver: node or the CLI is gone (reinstall: npx custodian-hooks install); $5 merged as text" >&2
exec git merge-file --marker-size="$4" -L HEAD -L base -L theirs "$2" "$1" "$3"
