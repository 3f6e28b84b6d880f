// Transport mode behind a NAT (RFC 3948 §3.1.2): the TCP or UDP checksum of a decapsulated packet
// was computed over the addresses before translation. Recomputing it over the packet as it now is
// makes it right again without having to know the original addresses (NAT-OA).
import { FLOW_FAMILY, FLOW_HDR, FLOW_OPAQUE, FLOW_PROTO, csum, csumFinish, flow, pseudoSum } from "./ip";

/** Recomputes the TCP or UDP checksum of the packet [p, p + len), parsed in flow(). */
export function fixTransportChecksum(p: usize, len: usize): void {
  const f = flow();
  const proto = <u32>load<u8>(f + FLOW_PROTO);
  if ((proto != 6 && proto != 17) || load<u8>(f + FLOW_OPAQUE)) return;
  const hdr = <usize>load<u32>(f + FLOW_HDR);
  const l4 = p + hdr, l4len = len - hdr;
  const at: usize = proto == 6 ? 16 : 6; // where the checksum field is
  if (l4len < at + 2) return;
  const v4 = load<u8>(f + FLOW_FAMILY) == 4;
  // UDP over IPv4 with a zero checksum has none (RFC 768): leave it so.
  if (proto == 17 && v4 && load<u16>(l4 + at) == 0) return;
  store<u16>(l4 + at, 0);
  const src = v4 ? p + 12 : p + 8, dst = v4 ? p + 16 : p + 24;
  let c = csumFinish(csum(l4, l4len, pseudoSum(v4 ? 4 : 6, src, dst, proto, <u32>l4len)));
  if (proto == 17 && c == 0) c = 0xffff;
  store<u16>(l4 + at, c);
}
