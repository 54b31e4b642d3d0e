#!/usr/bin/env bash
# Installs every Debian 12 package parkd needs to build, test, benchmark and run its demo.
# Idempotent: when everything is present it changes nothing and asks no registry.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-dev
  libpaho-mqttpp-dev libpaho-mqtt-dev libssl-dev
  libprotobuf-dev protobuf-compiler
  libfmt-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3
  libsystemd-dev
  lintian systemd man-db   # the package check: lintian, systemd-analyze verify (which runs man)
  openssl
  clang libclang-rt-14-dev
  mosquitto mosquitto-clients
  libmosquitto-dev   # parksim's and the load driver's MQTT clients
  nats-server   # the district tests: a three-node JetStream cluster with MQTT
  python3
  chromium chromium-driver fonts-wqy-microhei   # the console's tests in a real browser (CJK text in screenshots)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or install them yourself) and try again" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
