// TEMPORARY STUB — branch `espvec` only. Replace with the real engine when merging.
// It carries the exact exported signatures of the `ipsecgw/esp` contract (see shared/DESIGN.md) so
// that test/esp-vectors.test.ts and test/esp-scapy.test.ts compile; every call throws.

export interface EspSa {
  spi: number;
  mode: 'tunnel' | 'transport';
  src: string;
  dst: string;
  esp: string;
  key: Uint8Array | string;
  seq: number | bigint;
  encap?: { sport: number; dport: number };
  esn?: boolean;
  iv?: Uint8Array;
}

export function espEncap(_sa: EspSa, _innerPacket: Uint8Array): Uint8Array {
  throw new Error('not implemented (stub of ipsecgw/esp on branch espvec)');
}

export function espDecap(_sa: EspSa, _outerPacket: Uint8Array): Uint8Array | { drop: string } {
  throw new Error('not implemented (stub of ipsecgw/esp on branch espvec)');
}
