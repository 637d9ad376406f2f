#!/bin/sh
# A lab deploy host: its own Docker engine and sshd in one container, like a small VM.
set -eu

# Docker mounts the cgroup v1 hierarchies read-only in an unprivileged container; the nested
# engine needs them writable (this sandbox cannot grant --privileged: it lacks CAP_SYS_RESOURCE).
if [ -d /sys/fs/cgroup ] && grep -q ' /sys/fs/cgroup/.* cgroup ro,' /proc/mounts; then
  grep ' /sys/fs/cgroup/.* cgroup ro,' /proc/mounts | while read -r _src mnt _type opts _rest; do
    subsystems=$(echo "$opts" | tr , '\n' | grep -v -E '^(ro|rw|nosuid|nodev|noexec|relatime)$' | paste -sd, -)
    umount "$mnt" && mount -t cgroup -o "rw,nosuid,nodev,noexec,$subsystems" cgroup "$mnt"
  done
fi
mount -o remount,rw /sys 2>/dev/null || true

# Host keys are made on first start, so every lab host has keys of its own.
ssh-keygen -A >/dev/null
mkdir -p /run/sshd /var/log/slipway-lab

# The lab registries listen on the outer machine; each host reaches them as 127.0.0.1:<port>,
# the same names the runner uses, so one image reference works everywhere.
for port in ${SLIPWAY_LAB_FORWARD:-}; do
  socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" "TCP:$SLIPWAY_LAB_GATEWAY:$port" \
    >/var/log/slipway-lab/forward-$port.log 2>&1 &
done

dockerd --cgroup-parent="/slipway-lab/$(hostname)" >/var/log/slipway-lab/dockerd.log 2>&1 &

exec /usr/sbin/sshd -D -e
