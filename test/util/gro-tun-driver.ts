// Run by test/gro.test.ts inside a network namespace (`ip netns exec NS node gro-tun-driver.js ARGS`):
// plays a TCP peer behind a vnet TUN device by hand, and sends the data as GSO super-packets that
// groCoalesce built, through writeBatch with each slot's own virtio header. Prints one JSON line.
//
//   1. open TUN `grot0` (IFF_VNET_HDR, TUNSETOFFLOAD CSUM|TSO4|TSO6), 10.91.0.1/24 on it; the peer
//      is 10.91.0.2, reached through the device
//   2. with `local`, a TCP server on 10.91.0.1:dport in this process; else the server is elsewhere
//      (dst), reached by forwarding
//   3. handshake: SYN written to the device, SYN-ACK read from it, ACK written (RFC 9293 §3.5)
//   4. `count` segments of `mss` bytes (ACK; PSH on the last) coalesced and written
//   5. waits for the server's ACK of every byte, then resets the connection
// What it reports lets the test check that the kernel took the super-packet as one packet and
// delivered (or forwarded) every byte.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { loadNative, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, type NativeError } from '../../src/dataplane/native.js';
import { instantiate } from '../../src/dataplane/wasm.js';
import { filler } from './packets.js';
import { tcpSegment } from './tcp-segment.js';

export interface DriverArgs {
  local: boolean;
  dst: string;
  dport: number;
  count: number;
  mss: number;
  seed: number;
}

export interface DriverResult {
  /** groCoalesce's return: output slots written. */
  rc: number;
  /** The virtio_net_hdr_v1 of the first output, hex. */
  vnet: string;
  superLen: number;
  sent: number;
  /** The server's ACK of every byte came back through the device. */
  acked: boolean;
  /** The TUN device's RX packet counter before and after the data write. */
  rxBefore: number;
  rxAfter: number;
  /** Local server: what it received (length, SHA-256 hex). */
  received?: { length: number; sha: string };
  /** The segments as they were before coalescing, hex. */
  segments: string[];
  /** writeBatch's refusals: slotHeaders on a device without vnet header, a slot without room for one. */
  errors: { noVnet: string; noRoom: string };
}

const PEER = '10.91.0.2', LOCAL = '10.91.0.1';
const SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
const SEND = 1;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(a: DriverArgs): Promise<DriverResult> {
  const native = loadNative();
  const tun = native.tunOpen('grot0', { vnetHdr: true });
  native.tunSetOffload(tun.fd, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
  native.linkUp('grot0', 1500);
  execFileSync('ip', ['addr', 'add', `${LOCAL}/24`, 'dev', 'grot0']);

  const received: Buffer[] = [];
  let server: net.Server | undefined;
  if (a.local) {
    server = net.createServer((c) => {
      c.on('data', (d) => received.push(d));
      c.on('error', () => {});
    });
    await new Promise<void>((r) => server!.listen(a.dport, LOCAL, r));
  }

  // Memory: slot tables, then buffers. Small slots for reads and single writes, large ones for the output.
  const dp = instantiate();
  const IN = 64, OUT = 4, SMALL = 2048, BIG = 65536 + 64;
  const base = (dp.heapBase + 63) & ~63;
  const inSlots = base, outSlots = base + IN * 32, rdSlots = outSlots + OUT * 32;
  const inBufs = base + 16384, outBufs = inBufs + IN * SMALL, rdBufs = outBufs + OUT * BIG;
  const need = rdBufs + 16 * BIG;
  if (need > dp.memory.buffer.byteLength) dp.memory.grow(Math.ceil((need - dp.memory.buffer.byteLength) / 65536));
  const mem = (): Uint8Array => new Uint8Array(dp.memory.buffer);
  const dv = (): DataView => new DataView(dp.memory.buffer);
  const setSlot = (slot: number, buf: number, cap: number, head: number): void => {
    dv().setUint32(slot, buf, true);
    dv().setUint32(slot + 4, cap, true);
    dv().setUint32(slot + 8, buf + head, true);
  };
  const put = (slot: number, p: Uint8Array): void => {
    mem().set(p, dv().getUint32(slot + 8, true));
    dv().setUint32(slot + 12, p.length, true);
    dv().setUint32(slot + 16, SEND, true);
  };
  /** Writes packets as they are (zeroed virtio header), one slot each. */
  const writePlain = (...ps: Uint8Array[]): void => {
    ps.forEach((p, i) => {
      setSlot(inSlots + 32 * i, inBufs + SMALL * i, SMALL, 64);
      put(inSlots + 32 * i, p);
    });
    const sent = native.writeBatch(tun.fd, 'tun', mem(), inSlots, ps.length, SEND);
    if (sent !== ps.length) throw new Error(`wrote ${sent} of ${ps.length}`);
  };
  /** Reads what the device has until `match` returns something, or the time is up. */
  const readUntil = async <T>(match: (p: Uint8Array) => T | undefined, ms: number): Promise<T | undefined> => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      for (let i = 0; i < 16; i++) setSlot(rdSlots + 32 * i, rdBufs + BIG * i, BIG, 16);
      const k = native.readBatch(tun.fd, 'tun', mem(), rdSlots, 16);
      for (let i = 0; i < k; i++) {
        const off = dv().getUint32(rdSlots + 32 * i + 8, true), len = dv().getUint32(rdSlots + 32 * i + 12, true);
        const r = match(mem().slice(off, off + len));
        if (r !== undefined) return r;
      }
      if (k === 0) await sleep(2); // lets a local server run
    }
    return undefined;
  };
  /** A TCP segment from the server to the peer: its sequence and ACK numbers and flags. */
  const fromServer = (p: Uint8Array): { seq: number; ack: number; flags: number } | undefined => {
    if (p.length < 40 || p[0] !== 0x45 || p[9] !== 6) return undefined;
    const d = new DataView(p.buffer, p.byteOffset);
    if (p.subarray(12, 16).join('.') !== a.dst || p.subarray(16, 20).join('.') !== PEER) return undefined;
    if (d.getUint16(20) !== a.dport || d.getUint16(22) !== sport) return undefined;
    return { seq: d.getUint32(24), ack: d.getUint32(28), flags: p[33] };
  };

  const sport = 40000 + (process.pid % 20000);
  const isn = 0x01000000;
  let id = 0x100;
  const seg = (o: { seq: number; ack: number; flags: number; payload?: Uint8Array; options?: Uint8Array }) =>
    tcpSegment({ src: PEER, dst: a.dst, sport, dport: a.dport, window: 65535, id: id++, ...o });

  // Handshake. The MSS option only needs to allow our segments.
  writePlain(seg({ seq: isn, ack: 0, flags: SYN, options: new Uint8Array([2, 4, 0x05, 0xb4]) }));
  const synAck = await readUntil((p) => {
    const t = fromServer(p);
    return t && t.flags & SYN && t.flags & ACK && t.ack === isn + 1 ? t : undefined;
  }, 5000);
  if (!synAck) throw new Error(`no SYN-ACK from ${a.dst}:${a.dport}`);
  const ack = (synAck.seq + 1) >>> 0;
  writePlain(seg({ seq: isn + 1, ack, flags: ACK }));

  // The data: count segments, coalesced into the output slots, written with their own headers.
  const payload = filler(a.count * a.mss, a.seed);
  const segments: Uint8Array[] = [];
  for (let i = 0; i < a.count; i++) {
    segments.push(seg({ seq: isn + 1 + i * a.mss, ack, flags: i + 1 === a.count ? ACK | PSH : ACK, payload: payload.subarray(i * a.mss, (i + 1) * a.mss) }));
  }
  segments.forEach((p, i) => {
    setSlot(inSlots + 32 * i, inBufs + SMALL * i, SMALL, 64);
    put(inSlots + 32 * i, p);
  });
  for (let i = 0; i < OUT; i++) setSlot(outSlots + 32 * i, outBufs + BIG * i, BIG, 16);
  const rc = dp.fn.groCoalesce(inSlots, a.count, outSlots, OUT);
  if (rc < 1) throw new Error(`groCoalesce returned ${rc}`);
  const firstBuf = dv().getUint32(outSlots, true);
  const vnet = Buffer.from(mem().slice(firstBuf, firstBuf + 12)).toString('hex');
  const superLen = dv().getUint32(outSlots + 12, true);
  const rxPackets = (): number => Number(readFileSync('/sys/class/net/grot0/statistics/rx_packets', 'utf8'));
  const rxBefore = rxPackets();
  const sent = native.writeBatch(tun.fd, 'tun', mem(), outSlots, rc, SEND, { slotHeaders: true });
  const rxAfter = rxPackets();
  const end = (isn + 1 + payload.length) >>> 0;
  const acked = (await readUntil((p) => {
    const t = fromServer(p);
    return t && t.flags & ACK && t.ack === end ? true : undefined;
  }, 5000)) ?? false;
  writePlain(seg({ seq: end, ack, flags: RST | ACK }));

  // What writeBatch refuses.
  const errors = { noVnet: '', noRoom: '' };
  const plain = native.tunOpen('grot1');
  try {
    native.writeBatch(plain.fd, 'tun', mem(), outSlots, rc, SEND, { slotHeaders: true });
  } catch (e) {
    errors.noVnet = `${(e as Error).name}: ${(e as Error).message}`;
  } finally {
    native.close(plain.fd);
  }
  setSlot(outSlots, outBufs, BIG, 11);
  try {
    native.writeBatch(tun.fd, 'tun', mem(), outSlots, 1, SEND, { slotHeaders: true });
  } catch (e) {
    errors.noRoom = `${(e as NativeError).name}: ${(e as Error).message}`;
  }

  let got: DriverResult['received'];
  if (server) {
    const until = Date.now() + 3000;
    while (Buffer.concat(received).length < payload.length && Date.now() < until) await sleep(5);
    const all = Buffer.concat(received);
    got = { length: all.length, sha: createHash('sha256').update(all).digest('hex') };
    server.close();
  }
  native.close(tun.fd);
  return {
    rc, vnet, superLen, sent, acked, rxBefore, rxAfter, received: got, errors,
    segments: segments.map((s) => Buffer.from(s).toString('hex')),
  };
}

main(JSON.parse(process.argv[2]) as DriverArgs).then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  },
  (e) => {
    process.stdout.write(JSON.stringify({ error: (e as Error).stack ?? String(e) }) + '\n');
    process.exit(1);
  },
);
