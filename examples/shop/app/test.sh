#!/bin/sh
# The shop's tests, run inside the built image: the app starts and answers.
set -e
SHOP_NAME=test /app/start.sh & sleep 0.5
[ "$(wget -q -O - http://127.0.0.1:8080/health)" = ok ]
[ "$(wget -q -O - http://127.0.0.1:8080/name)" = test ]
[ -n "$(wget -q -O - http://127.0.0.1:8080/version)" ]
echo "3 tests passed"
