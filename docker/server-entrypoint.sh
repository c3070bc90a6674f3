#!/bin/sh
# The server image's entrypoint (see Dockerfile.server). As root: gives the data and config
# folders to the server's user `gptme` (volumes from images before the split belong to appuser),
# makes /workspace writable for `appuser` (the tools), then runs gptme-server as `gptme`:
# - a project of a normal user (uid 1234, or yours under rootless podman's --userns=keep-id):
#   appuser takes that uid and gid, so the files the agent writes belong to the project's owner;
# - a project of root: appuser keeps its uid and is granted rwX on the tree with POSIX ACLs (a
#   default ACL on every folder too), since the tools must never run as root. Files keep their
#   owner; the ones the agent creates belong to appuser's uid.
# Started as another user (`docker run --user ...`), it runs the server as that user unchanged.
set -eu

if [ "$(id -u)" != 0 ]; then
  exec gptme-server "$@"
fi

data="${XDG_DATA_HOME:-/home/appuser/.local/share}/gptme"
config="${XDG_CONFIG_HOME:-/home/appuser/.config}/gptme"
mkdir -p "$data" "$config"
chown -R gptme:gptme "$data" "$config"
chmod 700 "$data" "$config"

server_uid=$(id -u gptme)
tools_uid=$(id -u appuser)
owner=$(stat -c %u /workspace)
group=$(stat -c %g /workspace)
# Never root's group for the tools (the helper refuses it): a project of group 0 keeps appuser's.
if [ "$group" = 0 ]; then group=$(id -g appuser); fi

# Root of this container as the host sees it: 0 unless in a user namespace (rootless podman).
host_root=$(awk '$1 == 0 { print $2 }' /proc/self/uid_map)

if [ "$owner" = 0 ]; then
  # -P: symbolic links are skipped, never followed (a link the agent left in the project must
  # not lend it the store). Every start, so that files root added since are covered too.
  if error=$(setfacl -R -P -m "u:$tools_uid:rwX,d:u:$tools_uid:rwX" /workspace 2>&1); then
    echo "gptme: /workspace belongs to root: the tools (appuser, uid $tools_uid) may write it through ACLs (setfacl u:$tools_uid:rwX, default ACL on folders)." >&2
    if [ "${host_root:-0}" != 0 ]; then
      echo "gptme: root here is uid $host_root on the host (rootless podman?): files the agent writes will belong to a subordinate uid; run with --userns=keep-id --user root to keep them yours." >&2
    fi
  elif echo "$error" | grep -q "Read-only file system"; then
    echo "gptme: /workspace belongs to root and is mounted read-only: the tools may read it, not write it." >&2
  else
    echo "gptme: ERROR: /workspace belongs to root and refuses ACLs ($(echo "$error" | head -n 1)): the agent's tools (uid $tools_uid) cannot write it. Fix: mount a project owned by a normal user (sudo chown -R $tools_uid:$tools_uid PROJECT), or one on a filesystem with ACLs." >&2
  fi
elif [ "$owner" = "$server_uid" ]; then
  echo "gptme: /workspace belongs to uid $owner, the server's own: the tools keep uid $tools_uid." >&2
elif [ "$owner" != "$tools_uid" ] || [ "$group" != "$(id -g appuser)" ]; then
  groupmod --non-unique --gid "$group" appuser
  usermod --non-unique --uid "$owner" --gid "$group" appuser
  usermod --append --groups appuser gptme
  chown appuser:appuser /home/appuser /home/appuser/.local/bin /home/appuser/.local/lib
fi

# The tools enter the project as appuser (the helper changes directory after switching users);
# the server itself reads it only for the web UI's workspace browser, through its group (after the
# remap above) or "other".
if ! setpriv --reuid=gptme --regid=gptme --init-groups test -r /workspace -a -x /workspace; then
  echo "gptme: the server (gptme, uid $server_uid) cannot read /workspace (mode $(stat -c %a /workspace)): the agent's tools work in it, but the web UI's workspace browser answers 403. Fix: chmod 755 PROJECT (the folder itself)." >&2
fi

export HOME=/home/gptme
exec setpriv --reuid=gptme --regid=gptme --init-groups gptme-server "$@"
