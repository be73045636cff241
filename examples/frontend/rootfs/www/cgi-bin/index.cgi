#!/bin/sh
# The sample app's frontend: busybox httpd runs this for every request to "/". It calls the backend through its
# Service name (cluster DNS + the Service's virtual IP) and shows who answered.
# CGI headers end in CRLF: strict HTTP clients reject bare LF.
printf 'Content-Type: text/plain\r\n\r\n'
echo "frontend ${POD_NAME:-$(hostname)} (version ${VERSION:-unknown}) called ${BACKEND_URL}"
# busybox wget -T crashes (Debian's busybox 1.35), so `timeout` bounds the call instead.
if answer=$(timeout 3 wget -qO- "$BACKEND_URL" 2>&1); then
  echo "backend says: $answer"
else
  echo "backend unreachable: $answer"
fi
