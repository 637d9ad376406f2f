#!/bin/sh
# dockerd on the Docker 29-era lab host: the engine pinned in scripts/tools.mjs, with runc 1.2 (the
# engine asks for a time namespace Debian's runc 1.1 does not know) as its default runtime, its own
# docker-proxy, Debian's containerd, the containerd image store (this engine's default), and the
# API also on TCP :2375 without TLS, published on the host's loopback address only (a lab, never a
# real host), so the runner's docker client can build and push with this engine.
engine=/usr/local/lib/slipway-engine
PATH="$engine:$PATH"
export PATH
exec "$engine/dockerd" \
  --add-runtime "slipway-runc=$engine/runc" \
  --default-runtime slipway-runc \
  --userland-proxy-path "$engine/docker-proxy" \
  --host unix:///var/run/docker.sock \
  --host tcp://0.0.0.0:2375 \
  --tls=false \
  "$@"
