// ipsecgw/esp: one packet through the ESP engine, for tests and tools. The SA is a plain object;
// behind it is the same engine and batch path the gateway uses (engine.ts), with a one-slot batch.
import { Engine, type SaSpec } from './engine.js';
import { engineAlgorithms, espSuiteOf } from './suite.js';

export interface EspSa {
  spi: number;
  mode: 'tunnel' | 'transport';
  /** Outer addresses, IPv4 or IPv6 text. */
  src: string;
  dst: string;
  /** One strongSwan ESP proposal: "aes128gcm16", "aes256-sha256", "chacha20poly1305", "3des-sha1", … */
  esp: string;
  /** Keying material (bytes or hex): encryption key, then the salt for AEADs, then the integrity key. */
  key: Uint8Array | string;
  /** Encap: the sequence number of this packet. Decap: the highest sequence number received so far. */
  seq: number | bigint;
  /** UDP encapsulation (RFC 3948). */
  encap?: { sport: number; dport: number };
  /** Extended (64-bit) sequence numbers. */
  esn?: boolean;
  /** Tests only: the IV to put in the packet, to reproduce a published encapsulation. */
  iv?: Uint8Array;
}

let engine: Engine | undefined;
const shared = (): Engine => (engine ??= new Engine({ maxSas: 2, maxPolicies: 2, batch: 1, bufferSize: 65536 + 512, headroom: 256 }));

function spec(sa: EspSa, direction: 'in' | 'out'): SaSpec {
  const t = engineAlgorithms(espSuiteOf(sa.esp));
  const key = typeof sa.key === 'string' ? new Uint8Array(Buffer.from(sa.key.replace(/\s+/g, ''), 'hex')) : sa.key;
  const seq = BigInt(sa.seq);
  return {
    spi: sa.spi, direction, mode: sa.mode, src: sa.src, dst: sa.dst, encap: sa.encap, esn: sa.esn,
    ...t, key, seq: direction === 'out' ? seq - 1n : seq,
  };
}

/** Protects one inner packet; returns the whole outer IP packet. Throws when the engine drops it. */
export function espEncap(sa: EspSa, innerPacket: Uint8Array): Uint8Array {
  const e = shared();
  if (BigInt(sa.seq) < 1n) throw new RangeError('espEncap: sequence numbers start at 1');
  const index = e.installSa(spec(sa, 'out'));
  try {
    e.setPolicies([
      { local: '0.0.0.0/0', remote: '0.0.0.0/0', action: 'protect', sa: index },
      { local: '::/0', remote: '::/0', action: 'protect', sa: index },
    ]);
    if (sa.iv) {
      e.dp.fn.espTestIv(stageIv(e, sa.iv), sa.iv.length);
    }
    const [r] = e.run('encap', [innerPacket]);
    if (r.verdict !== 'send') throw new Error(`espEncap: packet ${r.verdict === 'drop' ? `dropped (${r.reason})` : r.verdict}`);
    return r.packet;
  } finally {
    e.removeSa(index);
  }
}

/** Verifies and decapsulates one outer packet: the inner packet, or why it was dropped. */
export function espDecap(sa: EspSa, outerPacket: Uint8Array): Uint8Array | { drop: string } {
  const e = shared();
  const index = e.installSa(spec(sa, 'in'));
  try {
    const [r] = e.run('decap', [outerPacket]);
    return r.verdict === 'send' ? r.packet : { drop: r.reason };
  } finally {
    e.removeSa(index);
  }
}

/** Puts the test IV in the first slot's buffer (rewritten by the next batch anyway). */
function stageIv(e: Engine, iv: Uint8Array): number {
  new Uint8Array(e.dp.memory.buffer).set(iv, e.buffers);
  return e.buffers;
}
