# shellcheck shell=bash
# Helpers for scripts that run real traffic inside throw-away network
# namespaces (see scripts/record-sample).
#
# Everything started here is tracked: namespaces in NETNS_NAMES, background
# processes in NETNS_PIDS.  Call netns_cleanup from an EXIT trap; it kills the
# tracked processes by PID (newest first) and then deletes the namespaces.
#
# Nothing in here touches the host's own network namespace: veth pairs are
# created with both ends directly inside the namespaces.

NETNS_NAMES=()
NETNS_PIDS=()
NETNS_LAST_PID=

netns_log() { printf '[netns] %s\n' "$*" >&2; }

# netns_add NAME: create a namespace and remember it for cleanup.
netns_add() {
  local ns=$1
  ip netns add "$ns"
  NETNS_NAMES+=("$ns")
}

# netns_exec NS CMD...: run CMD inside NS (foreground).
netns_exec() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# netns_offloads_off NS DEV: switch off segmentation/receive offloads (and
# checksum offload, so captured frames carry real checksums).  Each feature is
# set on its own and failures are tolerated (some are fixed on some devices),
# but TSO, GSO and GRO must end up off or this fails.
netns_offloads_off() {
  local ns=$1 dev=$2 feat state
  for feat in tso gso gro lro ufo tx sg rx-gro-list rx-udp-gro-forwarding; do
    ip netns exec "$ns" ethtool -K "$dev" "$feat" off >/dev/null 2>&1 || true
  done
  for feat in tcp-segmentation-offload generic-segmentation-offload generic-receive-offload; do
    state=$(ip netns exec "$ns" ethtool -k "$dev" 2>/dev/null | awk -v f="$feat:" '$1 == f { print $2 }')
    if [ "$state" != off ]; then
      echo "error: $feat is '${state:-unknown}' on $dev in $ns, need off" >&2
      return 1
    fi
  done
}

# netns_lo_setup NS: bring lo up with an Ethernet-sized MTU and offloads off.
netns_lo_setup() {
  local ns=$1
  ip netns exec "$ns" ip link set lo up mtu 1500
  netns_offloads_off "$ns" lo
}

# netns_veth NS_A DEV_A NS_B DEV_B: veth pair with one end in each namespace,
# MTU 1500, offloads off on both ends, links left down.  Returns non-zero
# if the pair cannot be made (its half-made devices go with the namespaces).
netns_veth() {
  local ns_a=$1 dev_a=$2 ns_b=$3 dev_b=$4
  # `|| return` on each step: callers may test this in an `if`, where
  # errexit does not apply.
  ip link add "$dev_a" netns "$ns_a" mtu 1500 type veth \
    peer name "$dev_b" netns "$ns_b" mtu 1500 || return 1
  netns_offloads_off "$ns_a" "$dev_a" || return 1
  netns_offloads_off "$ns_b" "$dev_b" || return 1
}

# netns_wait_link_up NS DEV [TRIES]: wait (TRIES x 0.1 s, default 50) until
# DEV has carrier (LOWER_UP), so no traffic is sent into a link still coming up.
netns_wait_link_up() {
  local ns=$1 dev=$2 tries=${3:-50} i
  for ((i = 0; i < tries; i++)); do
    ip -n "$ns" link show "$dev" 2>/dev/null | grep -q 'LOWER_UP' && return 0
    sleep 0.1
  done
  echo "error: $dev in $ns has no carrier after $tries tries" >&2
  return 1
}

# netns_quiet_ipv6 NS DEV: no duplicate address detection and no router
# solicitations on DEV (call before the link goes up), so the capture is not
# padded with autoconfiguration chatter.
netns_quiet_ipv6() {
  local ns=$1 dev=$2
  ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$dev.accept_dad=0" >/dev/null || true
  ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$dev.router_solicitations=0" >/dev/null || true
  ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$dev.accept_ra=0" >/dev/null || true
}

# netns_bg NS LOG CMD...: start CMD in the background inside NS, stdout and
# stderr to LOG, stdin from /dev/null.  `ip netns exec` execs CMD, so the PID
# (left in NETNS_LAST_PID and tracked for cleanup) is CMD's own.
# Must be called directly (not in $(...)) so the process is our child.
netns_bg() {
  local ns=$1 log=$2
  shift 2
  ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
  NETNS_LAST_PID=$!
  NETNS_PIDS+=("$NETNS_LAST_PID")
}

# netns_alive PID: true while PID is running (an exited, not yet reaped
# child is a zombie and counts as gone).
netns_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# netns_wait_listen NS tcp|udp PORT PID [TRIES]: wait (TRIES x 0.1 s, default
# 50) until something listens on PORT inside NS.  Uses the socket table only,
# so the wait itself sends no packets.  Fails early if PID died.
netns_wait_listen() {
  local ns=$1 proto=$2 port=$3 pid=$4 tries=${5:-50} i flag
  case $proto in
    tcp) flag=-Hltn ;;
    udp) flag=-Hlun ;;
    *) echo "error: netns_wait_listen: bad protocol $proto" >&2; return 2 ;;
  esac
  for ((i = 0; i < tries; i++)); do
    if ! netns_alive "$pid"; then
      echo "error: process $pid exited before listening on $proto/$port in $ns" >&2
      return 1
    fi
    if [ -n "$(ip netns exec "$ns" ss "$flag" "sport = :$port" 2>/dev/null)" ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "error: nothing listens on $proto/$port in $ns after $tries tries" >&2
  return 1
}

# netns_stop PID [SIGNAL] [TRIES]: send SIGNAL (default TERM) to PID, wait up
# to TRIES x 0.1 s (default 50) for it to exit, then SIGKILL; reap it.
netns_stop() {
  local pid=$1 sig=${2:-TERM} tries=${3:-50} i
  netns_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < tries; i++)); do
    netns_alive "$pid" || break
    sleep 0.1
  done
  if netns_alive "$pid"; then
    netns_log "pid $pid ignored SIG$sig, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# netns_cleanup: stop every tracked process (newest first), delete every
# tracked namespace.  Safe to call more than once.
netns_cleanup() {
  local i
  for ((i = ${#NETNS_PIDS[@]} - 1; i >= 0; i--)); do
    netns_stop "${NETNS_PIDS[$i]}" TERM 30
  done
  NETNS_PIDS=()
  for ((i = ${#NETNS_NAMES[@]} - 1; i >= 0; i--)); do
    ip netns del "${NETNS_NAMES[$i]}" 2>/dev/null || true
  done
  NETNS_NAMES=()
}
