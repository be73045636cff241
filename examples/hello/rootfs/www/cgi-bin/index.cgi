#!/bin/sh
# The sample microservice: busybox httpd runs this for every request to "/".
# It answers with who served the request: the pod's name and IP (from the downward API env vars the
# example manifests set, falling back to the container's hostname) and the image's version.
# CGI headers end in CRLF: strict HTTP clients reject bare LF.
printf 'Content-Type: text/plain\r\n\r\n'
echo "hello from ${POD_NAME:-$(hostname)} (pod IP ${POD_IP:-$(hostname -i)}), version ${VERSION:-unknown}"
