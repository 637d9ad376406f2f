#!/bin/sh
# Serves /www on 8080; what the environment and the data volume say is written there first.
echo "${SHOP_NAME:-unnamed}" > /www/name
cat /data/migrations.log > /www/migrations 2>/dev/null || : > /www/migrations
httpd -f -p 8080 -h /www & pid=$!
trap 'sleep 1; kill $pid; exit 0' TERM INT
wait $pid
