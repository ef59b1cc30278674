#!/bin/sh
# The sample app the README's main command builds into an image.
echo "Hello from Berth: $(uname -s) $(uname -m), running as $(id -un) in $(pwd)"
