// The TypeScript face of the N-API shim (native/, built by `npm install` through node-gyp).
import { createRequire } from 'node:module';

/** How a descriptor's packets look to readBatch / writeBatch. */
export type IoKind = 'tun' | 'raw4' | 'raw6' | 'udp4' | 'udp6';

export interface Native {
  /** The symbolic name of an errno value ("ENOENT"). */
  errnoName(errno: number): string;
  tunOpen(name: string, opts: { multiQueue?: boolean; vnetHdr?: boolean }): { fd: number; name: string };
  tunSetOffload(fd: number, flags: number): void;
  linkUp(name: string, mtu: number): void;
  rawSocket(family: 4 | 6, protocol: number): number;
  udpSocket(family: 4 | 6, address: string, port: number, opts: { reusePort?: boolean; gro?: boolean }): number;
  close(fd: number): void;
  readBatch(fd: number, kind: IoKind, mem: Uint8Array, slots: number, n: number): number;
  writeBatch(fd: number, kind: IoKind, mem: Uint8Array, slots: number, n: number, verdict: number): number;
  wait(fds: number[], timeoutMs: number): number[];
  eventfd(): number;
  eventfdSignal(fd: number): void;
  eventfdClear(fd: number): void;
}

let native: Native | undefined;

export function loadNative(): Native {
  native ??= createRequire(import.meta.url)('../../../build/Release/ipsecgw.node') as Native;
  return native;
}
