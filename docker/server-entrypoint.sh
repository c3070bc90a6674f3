#!/bin/sh
# The server image's entrypoint (see Dockerfile.server). As root: gives the data and config
# folders to the server's user `gptme` (volumes from images before the split belong to appuser),
# gives `appuser` (the tools) the uid and gid that own /workspace so that files the agent writes
# belong to the project's owner, then runs gptme-server as `gptme`.
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
owner=$(stat -c %u /workspace)
group=$(stat -c %g /workspace)
if [ "$owner" = 0 ]; then
  echo "gptme: /workspace belongs to root: the agent's tools (appuser, uid $(id -u appuser)) cannot write it." >&2
  echo "gptme: fix: mount a project you own, or with rootless podman add --userns=keep-id --user root." >&2
elif [ "$owner" = "$server_uid" ]; then
  echo "gptme: /workspace belongs to uid $owner, the server's own: the tools keep uid $(id -u appuser)." >&2
elif [ "$owner" != "$(id -u appuser)" ] || [ "$group" != "$(id -g appuser)" ]; then
  groupmod --non-unique --gid "$group" appuser
  usermod --non-unique --uid "$owner" --gid "$group" appuser
  usermod --append --groups appuser gptme
  chown appuser:appuser /home/appuser /home/appuser/.local/bin /home/appuser/.local/lib
fi

export HOME=/home/gptme
exec setpriv --reuid=gptme --regid=gptme --init-groups gptme-server "$@"
