#!/bin/sh
# The migration, run once per deploy before any host switches (pre-deploy): it records itself in
# the data volume.
set -e
mkdir -p /data
echo "migrated to $(cat /www/version) at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> /data/migrations.log
