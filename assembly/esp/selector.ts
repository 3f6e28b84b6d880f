// Traffic selectors (RFC 4301 §4.4.1.1; RFC 7296 §3.13): does a parsed packet fall under one?
import {
  SEL_FAMILY, SEL_LOCAL, SEL_LOCAL_LEN, SEL_LOCAL_PORTS, SEL_PROTO, SEL_REMOTE, SEL_REMOTE_LEN,
  SEL_REMOTE_PORTS,
} from "./layout";
import { FLOW_DPORT, FLOW_DST, FLOW_FAMILY, FLOW_OPAQUE, FLOW_PROTO, FLOW_SPORT, FLOW_SRC } from "./ip";

/** Whether the first `bits` bits of the addresses at a and b are equal. */
function prefixEqual(a: usize, b: usize, bits: u32): bool {
  let i: usize = 0;
  for (; bits >= 32; bits -= 32, i += 4) if (load<u32>(a + i) != load<u32>(b + i)) return false;
  if (bits == 0) return true;
  // Addresses are big-endian: compare the top `bits` bits of the next word.
  const mask = ~(<u32>0xffffffff >>> bits);
  return ((bswap<u32>(load<u32>(a + i)) ^ bswap<u32>(load<u32>(b + i))) & mask) == 0;
}

// @ts-ignore: decorator
@inline function inRange(port: u32, range: usize): bool {
  return port >= <u32>load<u16>(range) && port <= <u32>load<u16>(range, 2);
}

/**
 * Whether the flow at f matches the selector at sel. `outbound`: the flow leaves through this
 * gateway, so its source is the local side; inbound, its destination is.
 */
export function selectorMatches(sel: usize, f: usize, outbound: bool): bool {
  if (load<u8>(sel + SEL_FAMILY) != load<u8>(f + FLOW_FAMILY)) return false;
  const proto = <u32>load<u8>(sel + SEL_PROTO);
  if (proto != 0 && proto != <u32>load<u8>(f + FLOW_PROTO)) return false;
  const local = f + (outbound ? FLOW_SRC : FLOW_DST);
  const remote = f + (outbound ? FLOW_DST : FLOW_SRC);
  if (!prefixEqual(sel + SEL_LOCAL, local, load<u8>(sel + SEL_LOCAL_LEN))) return false;
  if (!prefixEqual(sel + SEL_REMOTE, remote, load<u8>(sel + SEL_REMOTE_LEN))) return false;
  const localPort = <u32>load<u16>(f + (outbound ? FLOW_SPORT : FLOW_DPORT));
  const remotePort = <u32>load<u16>(f + (outbound ? FLOW_DPORT : FLOW_SPORT));
  if (load<u8>(f + FLOW_OPAQUE)) {
    // A non-first fragment carries no ports: only selectors for any port match it (§4.4.1.1).
    return load<u16>(sel + SEL_LOCAL_PORTS) == 0 && load<u16>(sel + SEL_LOCAL_PORTS, 2) == 0xffff
      && load<u16>(sel + SEL_REMOTE_PORTS) == 0 && load<u16>(sel + SEL_REMOTE_PORTS, 2) == 0xffff;
  }
  return inRange(localPort, sel + SEL_LOCAL_PORTS) && inRange(remotePort, sel + SEL_REMOTE_PORTS);
}
