#!/usr/bin/env bash
# Spark 4 needs a Java 17+ runtime. Stop set-up early with a clear message when it is missing.
set -euo pipefail
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$java_bin" >/dev/null 2>&1; then
    echo "error: Java 17 or newer is required by Spark but no 'java' was found." >&2
    echo "       Install a JDK/JRE 17+ (Debian/Ubuntu: 'sudo apt-get install openjdk-17-jre-headless'," >&2
    echo "       macOS: 'brew install openjdk@17') or set JAVA_HOME, then re-run make." >&2
    exit 1
fi
version=$("$java_bin" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
major=${version%%.*}
if [ "$major" = "1" ]; then major=$(echo "$version" | cut -d. -f2); fi
if ! [ "$major" -ge 17 ] 2>/dev/null; then
    echo "error: Java 17 or newer is required by Spark; found Java '$version' at $(command -v "$java_bin")." >&2
    echo "       Install a JDK/JRE 17+ (Debian/Ubuntu: 'sudo apt-get install openjdk-17-jre-headless')" >&2
    echo "       or point JAVA_HOME at one, then re-run make." >&2
    exit 1
fi
