// Reading a classic pcap file (tcpdump -w) of Ethernet frames: each packet's IP protocol, UDP
// ports and IP payload, which is all the wire checks of the end-to-end tests need.

export interface Captured {
  /** IP protocol (IPv4) or next header (IPv6, no extension headers). */
  proto: number;
  sport: number;
  dport: number;
  /** The IP packet. */
  data: Buffer;
}

export function readPcap(file: Buffer): Captured[] {
  const magic = file.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (o: number): number => (le ? file.readUInt32LE(o) : file.readUInt32BE(o));
  const linkType = u32(20);
  if (linkType !== 1) throw new Error(`pcap link type ${linkType}, expected Ethernet (1)`);
  const out: Captured[] = [];
  for (let at = 24; at + 16 <= file.length;) {
    const caplen = u32(at + 8);
    const frame = file.subarray(at + 16, at + 16 + caplen);
    at += 16 + caplen;
    const type = frame.readUInt16BE(12);
    const ip = frame.subarray(14);
    if (type === 0x0800) {
      const hdr = (ip[0] & 15) * 4, proto = ip[9];
      out.push({ proto, sport: proto === 17 ? ip.readUInt16BE(hdr) : 0, dport: proto === 17 ? ip.readUInt16BE(hdr + 2) : 0, data: ip });
    } else if (type === 0x86dd) {
      const proto = ip[6];
      out.push({ proto, sport: proto === 17 ? ip.readUInt16BE(40) : 0, dport: proto === 17 ? ip.readUInt16BE(42) : 0, data: ip });
    }
  }
  return out;
}
