# Sourced by tools/demo.sh and tools/district: free loopback ports and a Mosquitto of their own.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_port PORT: until something accepts connections there (10 s at most); false if nothing does.
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
# write_mosquitto_conf ROOT DIR PORT: DIR/mosquitto.conf, the shipped broker settings listening on
# 127.0.0.1:PORT, persisting into DIR/broker/.
write_mosquitto_conf() {
  mkdir -p "$2/broker"
  { cat "$1/config/mosquitto/parkd-broker.conf"
    echo "listener $3 127.0.0.1"
    echo "persistence_location $2/broker/"; } >"$2/mosquitto.conf"
  # Started as root, Mosquitto switches to its own user: its persistence folder must be its own.
  if [ "$(id -u)" -eq 0 ] && id mosquitto >/dev/null 2>&1; then chown mosquitto: "$2/broker"; fi
}
