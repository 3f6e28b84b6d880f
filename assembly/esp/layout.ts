// The shapes the host and the engine share: SA records, selectors, SPD entries, packet slots, and
// the codes in them. Exported, so that the host reads these numbers from the module instead of
// keeping a copy (src/dataplane/layout.ts).
import { REPLAY_SIZE } from "./replay";
import { GCM_CTX_SIZE } from "../crypto/gcm";

// ---- SA record (SAD entry), SA_SIZE bytes -------------------------------------------------------
export const SA_STATE: i32 = 0; // u32: SA_FREE | SA_ACTIVE | SA_EXPIRED
export const SA_SPI: i32 = 4; // u32, host order
export const SA_DIR: i32 = 8; // u8: DIR_IN | DIR_OUT
export const SA_MODE: i32 = 9; // u8: MODE_TUNNEL | MODE_TRANSPORT
export const SA_PROTO: i32 = 10; // u8: 50 (ESP) | 51 (AH)
export const SA_FAMILY: i32 = 11; // u8: 4 | 6, of the outer addresses
export const SA_ENCAP: i32 = 12; // u8: 0 | 1 = UDP (RFC 3948)
export const SA_ESN: i32 = 13; // u8: 1 = 64-bit sequence numbers (RFC 4303 §2.2.1)
export const SA_DF: i32 = 14; // u8: DF_COPY | DF_SET | DF_CLEAR, outer IPv4 header in tunnel mode
export const SA_TTL: i32 = 15; // u8: outer TTL / hop limit in tunnel mode
export const SA_SPORT: i32 = 16; // u16: UDP source port (ours when outbound, the peer's when inbound)
export const SA_DPORT: i32 = 18; // u16: UDP destination port
export const SA_ENC: i32 = 20; // u8: ENC_*
export const SA_INTEG: i32 = 21; // u8: INTEG_*
export const SA_ICV: i32 = 22; // u8: ICV bytes on the wire
export const SA_IV: i32 = 23; // u8: IV bytes on the wire
export const SA_ALIGN: i32 = 24; // u8: the payload + trailer is padded to a multiple of this
export const SA_ENC_KEY: i32 = 25; // u8: encryption key bytes (salt not counted)
export const SA_INTEG_KEY: i32 = 26; // u8: integrity key bytes
export const SA_FLAGS: i32 = 27; // u8: FLAG_*
export const SA_WINDOW: i32 = 28; // u32: replay window, packets (inbound)
export const SA_SRC: i32 = 32; // 16 bytes: outer source address (IPv4 in the first 4)
export const SA_DST: i32 = 48; // 16 bytes: outer destination address
export const SA_SEQ: i32 = 64; // u64: outbound, the last sequence number sent
export const SA_SOFT: i32 = 72; // u64: outbound, past this sequence number FLAG_SOFT is raised
export const SA_HARD: i32 = 80; // u64: outbound, the last sequence number allowed
export const SA_PACKETS: i32 = 88; // u64: packets protected or accepted
export const SA_BYTES: i32 = 96; // u64: their bytes (inner packets)
export const SA_USED: i32 = 104; // u64: host time of the last packet (the `now` of the batch)
export const SA_DROPS: i32 = 112; // u32 × DROP_REASONS: packets dropped on this SA, by reason
export const SA_PEER: i32 = 176; // 16 bytes: inbound, a new outer source seen on authenticated packets
export const SA_PEER_PORT: i32 = 192; // u16: and its UDP port (FLAG_PEER_MOVED tells)
export const SA_NSEL: i32 = 196; // u32: number of traffic selectors
export const SA_SEL: i32 = 200; // MAX_SELECTORS × SEL_SIZE
export const MAX_SELECTORS: i32 = 8;
export const SA_REPLAY: i32 = 584; // REPLAY_SIZE: the anti-replay window (replay.ts)
export const SA_KEY: i32 = 848; // keying material as IKE gives it (encryption key, salt, integrity key)
export const SA_KEY_MAX: i32 = 112;
export const SA_CTX: i32 = 960; // the key schedules: AES / GCM / 3DES context, then HMAC context
export const SA_SIZE: i32 = SA_CTX + GCM_CTX_SIZE; // GCM's context is the largest

export const SA_FREE: u32 = 0;
export const SA_ACTIVE: u32 = 1;
export const SA_EXPIRED: u32 = 2; // the hard limit was reached: nothing more is sent on it
export const SA_DYING: u32 = 3; // being removed: unused from now on, wiped once every worker moved on

export const DIR_IN: u8 = 0;
export const DIR_OUT: u8 = 1;
export const MODE_TUNNEL: u8 = 0;
export const MODE_TRANSPORT: u8 = 1;
export const PROTO_ESP: u8 = 50;
export const PROTO_AH: u8 = 51;
export const DF_COPY: u8 = 0;
export const DF_SET: u8 = 1;
export const DF_CLEAR: u8 = 2;

export const FLAG_SOFT: u8 = 1; // set by the engine: the soft limit passed, time to rekey
export const FLAG_PEER_MOVED: u8 = 2; // set by the engine: authenticated packets come from SA_PEER
export const FLAG_FIX_CHECKSUM: u8 = 4; // transport mode behind NAT: recompute inner TCP/UDP checksums (RFC 3948 §3.1.2)

// Encryption and integrity algorithms. INTEG_* equal the HASH_* ids of assembly/crypto/digest.ts.
export const ENC_NULL: u8 = 0;
export const ENC_AES_CBC: u8 = 1; // RFC 3602
export const ENC_AES_GCM: u8 = 2; // RFC 4106
export const ENC_CHACHA20_POLY1305: u8 = 3; // RFC 7634
export const ENC_3DES_CBC: u8 = 4; // RFC 2451
export const INTEG_NONE: u8 = 0;
export const INTEG_HMAC_SHA1: u8 = 1; // HMAC-SHA1-96, RFC 2404
export const INTEG_HMAC_SHA256: u8 = 2; // HMAC-SHA-256-128, RFC 4868
export const INTEG_HMAC_SHA384: u8 = 3; // HMAC-SHA-384-192
export const INTEG_HMAC_SHA512: u8 = 4; // HMAC-SHA-512-256

// ---- Traffic selector, SEL_SIZE bytes (in SA records and SPD entries) ---------------------------
// "local" is this side: the inner source of outbound packets, the inner destination of inbound ones.
export const SEL_FAMILY: i32 = 0; // u8: 4 | 6
export const SEL_PROTO: i32 = 1; // u8: IP protocol, 0 = any
export const SEL_LOCAL_LEN: i32 = 2; // u8: prefix length
export const SEL_REMOTE_LEN: i32 = 3; // u8
export const SEL_LOCAL_PORTS: i32 = 4; // u16 low, u16 high (0..65535 = any)
export const SEL_REMOTE_PORTS: i32 = 8; // u16 low, u16 high
export const SEL_LOCAL: i32 = 16; // 16 bytes
export const SEL_REMOTE: i32 = 32; // 16 bytes
export const SEL_SIZE: i32 = 48;

// ---- SPD entry, SPD_SIZE bytes: a selector, then what to do (first match in table order) ------
export const SPD_ACTION: i32 = 48; // u8: ACTION_*
export const SPD_SA: i32 = 52; // u32: the outbound SA (ACTION_PROTECT)
export const SPD_ID: i32 = 56; // u32: the policy's id, reported with CONTROL_TRAP
export const SPD_SIZE: i32 = 64;
export const ACTION_BYPASS: u8 = 0;
export const ACTION_DROP: u8 = 1;
export const ACTION_PROTECT: u8 = 2;
export const ACTION_TRAP: u8 = 3; // no SA yet: hand the packet to the control plane (acquire)

// ---- Packet slot, SLOT_SIZE bytes: the host's buffer and the engine's verdict -------------------
export const SLOT_BUF: i32 = 0; // u32: start of the slot's buffer
export const SLOT_CAP: i32 = 4; // u32: its capacity
export const SLOT_OFF: i32 = 8; // u32: packet start within memory (headroom before it for headers)
export const SLOT_LEN: i32 = 12; // u32: packet length
export const SLOT_VERDICT: i32 = 16; // u32: VERDICT_*
export const SLOT_REASON: i32 = 20; // u32: DROP_* or CONTROL_*
export const SLOT_SA: i32 = 24; // u32: the SA used (or the SPD entry, with CONTROL_TRAP)
export const SLOT_AUX: i32 = 28; // u32: CONTROL_TRAP: the policy id
export const SLOT_SIZE: i32 = 32;

export const VERDICT_DROP: u32 = 0;
export const VERDICT_SEND: u32 = 1; // encap: to the network; decap: to the TUN device
export const VERDICT_CONTROL: u32 = 2; // to the control plane (CONTROL_*)
export const VERDICT_BYPASS: u32 = 3; // encap: send unprotected (ACTION_BYPASS)

export const CONTROL_TRAP: u32 = 1; // outbound packet of a trap policy without SA (acquire)
export const CONTROL_IKE: u32 = 2; // UDP-encapsulated packet with the non-ESP marker: IKE (RFC 3948 §2.2)

export const DROP_NONE: u32 = 0;
export const DROP_NO_SA: u32 = 1; // unknown SPI
export const DROP_REPLAY: u32 = 2;
export const DROP_ICV: u32 = 3;
export const DROP_PADDING: u32 = 4;
export const DROP_POLICY: u32 = 5; // the inner packet does not match the SA's selectors (RFC 4301 §5.2)
export const DROP_TOO_BIG: u32 = 6; // no room in the slot
export const DROP_MALFORMED: u32 = 7;
export const DROP_EXPIRED: u32 = 8; // the SA reached its hard limit
export const DROP_SPD: u32 = 9; // an SPD entry says drop
export const DROP_DUMMY: u32 = 10; // TFC dummy packet, next header 59 (RFC 4303 §2.6)
export const DROP_KEEPALIVE: u32 = 11; // NAT-T keepalive (RFC 3948 §2.3)
export const DROP_UNSUPPORTED: u32 = 12; // fragments, protocols the SA does not carry
export const DROP_NO_POLICY: u32 = 13; // outbound packet no SPD entry covers
export const DROP_REASONS: i32 = 16;
