#!/bin/bash
# Produces test/vectors/ikev1-keys.ts and ikev2-keys.ts: real IKE key derivations by strongSwan.
# Two charons (IKE peers A and B) in network namespaces, PSK authentication, with debug logging
# that prints every input and output of the key derivation (ike/chd 4, enc 4); then
# strongswan-ike-keys.py reads A's (the initiator's) log. Needs root, strongSwan with the
# kernel-libipsec plugin (the lab's setup, see src/lab/strongswan.ts) and python3.
# usage: sudo test/util/strongswan-ike-keys.sh [OUTDIR]   (default: test/vectors)
# Everything it creates (namespaces, /etc/netns/ikcap*, the log directory) is removed on exit.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUTDIR=${1:-$HERE/../vectors}
WORK=$(mktemp -d /tmp/ikecap.XXXXXX)
P=ikcap$$
PSK='ipsecgw test vector psk'

stop() {
  for n in A B; do [ -f $WORK/$n.pid ] && kill $(cat $WORK/$n.pid) 2>/dev/null; rm -f $WORK/$n.pid; done
  for n in A B; do ip netns pids $P$n 2>/dev/null | xargs -r kill 2>/dev/null; done
  sleep 0.5
  for n in A B; do ip netns del $P$n 2>/dev/null; rm -rf /etc/netns/$P$n; done
}
trap 'stop; rm -rf $WORK' EXIT

# run VERSION IKE_PROPOSAL ESP_PROPOSAL TAG: initiate, (IKEv2) rekey the CHILD_SA and the IKE_SA, terminate.
run() {
  local VER=$1 IKE=$2 ESP=$3 TAG=$4 OUT=$WORK/$4
  mkdir -p $OUT
  for n in A B; do ip netns add $P$n; ip -n $P$n link set lo up; done
  ip link add ${P}a type veth peer name ${P}b
  ip link set ${P}a netns ${P}A; ip link set ${P}b netns ${P}B
  ip -n ${P}A addr add 192.0.2.1/24 dev ${P}a; ip -n ${P}B addr add 192.0.2.2/24 dev ${P}b
  # the inner addresses, so that kernel-libipsec finds a source for its routes
  ip -n ${P}A addr add 10.1.0.1/24 dev ${P}a; ip -n ${P}B addr add 10.2.0.1/24 dev ${P}b
  ip -n ${P}A link set ${P}a up; ip -n ${P}B link set ${P}b up
  mk A 192.0.2.1 192.0.2.2 10.1.0.0/24 10.2.0.0/24
  mk B 192.0.2.2 192.0.2.1 10.2.0.0/24 10.1.0.0/24
  for n in A B; do
    ip netns exec $P$n unshare -m sh -c "mount -t tmpfs t /run; exec /usr/lib/ipsec/charon" >$OUT/$n.log 2>&1 &
    echo $! > $WORK/$n.pid
  done
  for i in $(seq 50); do sw A --stats >/dev/null 2>&1 && sw B --stats >/dev/null 2>&1 && break; sleep 0.2; done
  sw A --load-all >/dev/null 2>&1; sw B --load-all >/dev/null 2>&1
  sw A --initiate --child c > $OUT/init.log 2>&1 || { echo "$TAG: initiate failed" >&2; tail -20 $OUT/init.log >&2; stop; return 1; }
  if [ $VER = 2 ]; then
    sleep 0.5; sw A --rekey --child c >> $OUT/init.log 2>&1; sleep 1
    sw A --rekey --ike t >> $OUT/init.log 2>&1; sleep 1
  fi
  sw A --list-sas > $OUT/sas.txt
  sw A --terminate --ike t >> $OUT/init.log 2>&1; sleep 0.5
  stop
  echo "$TAG: $(head -1 $OUT/sas.txt)" >&2
}
sw() { nsenter -t $(cat $WORK/$1.pid) -m -n -- swanctl "${@:2}" --uri unix:///run/ch.vici; }
mk() { # name local remote local_ts remote_ts
  local d=/etc/netns/$P$1; mkdir -p $d/swanctl/conf.d
  cat > $d/strongswan.conf <<C
charon {
  load = random nonce openssl pem pkcs1 x509 pubkey curve25519 kdf hmac md5 sha1 sha2 aes gcm socket-default vici kernel-libipsec kernel-netlink
  install_routes = yes
  plugins { vici { socket = unix:///run/ch.vici } }
  filelog { stderr { default = 1
    ike = 4
    chd = 4
    enc = 4
    cfg = 2
    net = 2
    time_format = %T
  } }
}
C
  cat > $d/swanctl/swanctl.conf <<C
connections {
  t {
    version = $VER
    local_addrs = $2
    remote_addrs = $3
    proposals = $IKE
    local { auth = psk
            id = $2 }
    remote { auth = psk
             id = $3 }
    children { c { local_ts = $4
                   remote_ts = $5
                   esp_proposals = $ESP
                   start_action = none } }
  }
}
secrets { ike { secret = "$PSK" } }
C
}

CASES1=(
  "aes128-sha1-modp2048 aes128-sha1-modp2048"
  "aes256-sha256-ecp256 aes256-sha256-ecp256"
  "3des-md5-modp1024 3des-md5-modp1024"
  "aes256-sha1-modp1536 aes128gcm16-modp1536"
  "aes192-sha384-ecp384 aes192-sha512-ecp521"
  "aes128-sha512-curve25519 aes256-sha256-curve448"
)
CASES2=(
  "aes128-sha256-modp2048 aes128-sha256-modp2048"
  "aes256gcm16-prfsha384-ecp384 aes256gcm16-ecp384"
  "aes256-sha512-curve25519 aes256-sha512-curve448"
  "aes128-sha1-ecp521 aes128-sha1-ecp256"
)
mkdir -p $OUTDIR
tags1=() tags2=()
for c in "${CASES1[@]}"; do set -- $c; run 1 $1 $2 v1-$1 && tags1+=("v1-$1|$1|$2"); done
for c in "${CASES2[@]}"; do set -- $c; run 2 $1 $2 v2-$1 && tags2+=("v2-$1|$1|$2"); done
VERSION=$(/usr/lib/ipsec/charon --version 2>&1 | head -1)
python3 $HERE/strongswan-ike-keys.py $WORK "$VERSION" "$PSK" 1 "${tags1[@]}" > $OUTDIR/ikev1-keys.ts
python3 $HERE/strongswan-ike-keys.py $WORK "$VERSION" "$PSK" 2 "${tags2[@]}" > $OUTDIR/ikev2-keys.ts
