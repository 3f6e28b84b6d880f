// IKE's sockets (RFC 7296 §2.23, RFC 3947 §4, RFC 3948 §2.2). Port 500 belongs to the main thread
// (node:dgram, one socket per listen address). Port 4500 is shared with UDP-encapsulated ESP: the
// datapath's rx worker reads it and posts what carries the zero non-ESP marker here, as a whole
// IP + UDP packet (native.ts readBatch); we send on the same socket, marker in front.
import dgram from 'node:dgram';
import { formatAddress, parseAddress } from '../dataplane/addr.js';
import { oneSlot, type Native } from '../dataplane/native.js';
import { IKE_PORT, NATT_PORT, type Endpoint, type IkeTransport } from '../ike/endpoint.js';
import type { Logger } from '../log.js';

export type IkeReceiver = (to: Endpoint, from: Endpoint, message: Uint8Array) => void;

const NON_ESP_MARKER = new Uint8Array(4);

export class IkeIo implements IkeTransport {
  private readonly sockets = new Map<string, dgram.Socket>();
  /** Datagrams handed to port 500's sockets whose send has not completed yet. */
  private inFlight = 0;
  private drained?: () => void;

  constructor(
    private readonly native: Native,
    /** The UDP 4500 sockets the rx worker reads, by family. */
    private readonly natt: { udp4?: number; udp6?: number },
    private readonly log: Logger,
    private receiver: IkeReceiver = () => {},
  ) {}

  onMessage(r: IkeReceiver): void {
    this.receiver = r;
  }

  /** Port 500 on each listen address. */
  async open(listen: readonly string[]): Promise<void> {
    for (const address of listen) {
      const family = parseAddress(address).family;
      const s = dgram.createSocket({ type: family === 4 ? 'udp4' : 'udp6', ipv6Only: family === 6 });
      s.on('message', (msg, rinfo) => this.receiver({ address, port: IKE_PORT }, { address: rinfo.address, port: rinfo.port }, new Uint8Array(msg)));
      s.on('error', (err) => this.log.error({ event: 'ike.socket', address, err: err.message }, 'IKE socket error'));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(IKE_PORT, address, () => {
          s.off('error', reject);
          resolve();
        });
      });
      this.sockets.set(address, s);
    }
  }

  /** A packet the rx worker handed over (reason 'ike'): IP + UDP + marker + IKE message. */
  fromDatapath(packet: Uint8Array): void {
    const v6 = packet[0] >> 4 === 6;
    const ihl = v6 ? 40 : (packet[0] & 0x0f) * 4;
    if (packet.length < ihl + 8 + 4) return;
    const addr = (at: number, len: number): string => {
      const bytes = new Uint8Array(16);
      bytes.set(packet.subarray(at, at + len));
      return formatAddress({ family: v6 ? 6 : 4, bytes });
    };
    const from = { address: v6 ? addr(8, 16) : addr(12, 4), port: (packet[ihl] << 8) | packet[ihl + 1] };
    const to = { address: v6 ? addr(24, 16) : addr(16, 4), port: (packet[ihl + 2] << 8) | packet[ihl + 3] };
    this.receiver(to, from, packet.slice(ihl + 8 + 4));
  }

  send(local: Endpoint, remote: Endpoint, message: Uint8Array): void {
    if (local.port === NATT_PORT) return this.send4500(local, remote, [NON_ESP_MARKER, message]);
    const s = this.sockets.get(local.address) ?? [...this.sockets.values()][0];
    if (!s) return;
    this.inFlight++;
    s.send(message, remote.port, remote.address, (err) => {
      if (err) this.log.warn({ event: 'ike.send_failed', to: remote.address, err: err.message }, 'IKE send failed');
      if (--this.inFlight === 0) this.drained?.();
    });
  }

  /** RFC 3948 §2.3: the NAT-keepalive is one 0xFF byte, without a marker. */
  keepalive(local: Endpoint, remote: Endpoint): void {
    this.send4500(local, remote, [Uint8Array.of(0xff)]);
  }

  /**
   * One datagram from port 4500 through the datapath's socket: writeBatch on a one-slot batch of
   * our own, whose packet is the IP + UDP header it reads the destination from, then the payload.
   */
  private send4500(local: Endpoint, remote: Endpoint, parts: Uint8Array[]): void {
    const dst = parseAddress(remote.address), src = parseAddress(local.address);
    const fd = dst.family === 4 ? this.natt.udp4 : this.natt.udp6;
    if (fd === undefined) return;
    const ipLen = dst.family === 4 ? 20 : 40, payload = parts.reduce((n, p) => n + p.length, 0);
    const packet = new Uint8Array(ipLen + 8 + payload);
    const v = new DataView(packet.buffer);
    if (dst.family === 4) {
      packet[0] = 0x45;
      packet[9] = 17;
      packet.set(src.bytes.subarray(0, 4), 12);
      packet.set(dst.bytes.subarray(0, 4), 16);
    } else {
      packet[0] = 0x60;
      packet[6] = 17;
      packet.set(src.bytes, 8);
      packet.set(dst.bytes, 24);
    }
    v.setUint16(ipLen, NATT_PORT);
    v.setUint16(ipLen + 2, remote.port);
    v.setUint16(ipLen + 4, 8 + payload);
    let o = ipLen + 8;
    for (const p of parts) {
      packet.set(p, o);
      o += p.length;
    }
    const mem = oneSlot(packet);
    try {
      this.native.writeBatch(fd, dst.family === 4 ? 'udp4' : 'udp6', mem, 0, 1, 1);
    } catch (err) {
      this.log.warn({ event: 'ike.send_failed', to: remote.address, err: (err as Error).message }, 'IKE send on 4500 failed');
    }
  }

  /**
   * Closes port 500 once what was sent on it is out: node:dgram sends a tick later (address lookup),
   * and a socket closed before that drops the datagram silently — the Deletes of a stop with it.
   */
  async close(timeoutMs = 1000): Promise<void> {
    if (this.inFlight) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        setTimeout(resolve, timeoutMs).unref();
      });
    }
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}
