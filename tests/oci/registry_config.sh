#!/usr/bin/env bash
# Writes a Distribution registry configuration for tests and benchmarks: loopback only,
# deletion enabled, a storage folder of the caller's, the stock in-memory blob descriptor
# cache, quiet logs; AUTH-YAML (optional) is appended as is.
# usage: registry_config.sh STORAGE-DIR PORT [AUTH-YAML] > config.yml
cat <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $1
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$2
${3:-}
YML
