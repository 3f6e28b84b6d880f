// The validated configuration of one gateway, as loadConfig (load.ts) returns it: every default
// applied, every address parsed, every duration in seconds. Nothing downstream re-reads the YAML;
// whatever the datapath or IKE need is decided here, once, with the file position to blame.

import type { Address, Prefix } from '../dataplane/addr.js';
import type { EspSuite, Proposal } from './proposal.js';
import type { DhTransform } from './transforms.js';

export type Severity = 'error' | 'warning';

/** One finding about the configuration, at the YAML node it is about (1-based line and column). */
export interface Diagnostic {
  /** The configuration file, as the caller named it. */
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: Severity;
  readonly message: string;
}

export interface Config {
  /** The file it was read from, as the caller named it. */
  readonly file: string;
  readonly gateway: Gateway;
  /** IKE connections, in file order. */
  readonly connections: readonly Connection[];
  /** Manually keyed SA pairs, in file order. */
  readonly manual: readonly ManualSa[];
}

export interface Gateway {
  /** [a-z0-9-]+: names the control socket and the logs. */
  readonly name: string;
  /** TUN device name (at most 15 bytes, Linux IFNAMSIZ - 1). Default 'ipsec0'. */
  readonly tun: string;
  /** Addresses for IKE (UDP 500 / 4500) and ESP; at least one. 0.0.0.0 or :: listen on all of a family. */
  readonly listen: readonly Address[];
  /** MTU of the TUN device. Default 1400, as strongSwan's kernel-libipsec. */
  readonly mtu: number;
  /** Datapath worker threads. Default: os.availableParallelism(). */
  readonly workers: number;
  /** Control socket path, absolute. Default /run/ipsecgw/<name>.sock. */
  readonly socket: string;
  /**
   * SAs the datapath holds (each CHILD SA is two, three generations during a rekey). Default: room
   * for every manual entry and configured child, and 4096 more when a connection takes roaming peers.
   */
  readonly maxSas?: number;
  /** `metrics: HOST:PORT`: the Prometheus text endpoint (GET /metrics); absent: none. */
  readonly metrics?: { readonly host: string; readonly port: number };
}

export type Mode = 'tunnel' | 'transport';
export type IpsecProtocol = 'esp' | 'ah';

/** Both directions of a manually keyed SA: one outbound SA and one inbound SA with static keys. */
export interface ManualSa {
  readonly name: string;
  /** Outer addresses, one family. */
  readonly local: Address;
  readonly remote: Address;
  /** Inner prefixes (host bits cleared). Transport mode: the outer addresses as host prefixes unless given. */
  readonly localTs: readonly Prefix[];
  readonly remoteTs: readonly Prefix[];
  readonly mode: Mode;
  readonly protocol: IpsecProtocol;
  /**
   * The one algorithm set, with `esn`. For AH, `encr` is NULL and `integ` the AH algorithm: the
   * shape the datapath takes (engine SaSpec: protocol 'ah', enc 'null'), and espKeyBytes(suite)
   * still gives the key length.
   */
  readonly suite: EspSuite;
  /** UDP encapsulation (RFC 3948); absent for plain ESP (IP protocol 50). */
  readonly encap?: { readonly sport: number; readonly dport: number };
  /** Inbound anti-replay window in packets, 1..1984. Default 1024. */
  readonly replayWindow: number;
  /** Tunnel mode: the outer header's DF bit. Default 'copy'. */
  readonly df: 'copy' | 'set' | 'clear';
  readonly in: ManualDirection;
  readonly out: ManualDirection;
}

export interface ManualDirection {
  /** 256..0xffffffff (0 and 1..255 are reserved, RFC 4303 §2.1). */
  readonly spi: number;
  /** Keying material in strongSwan's order: encryption key, salt, integrity key (espKeyBytes(suite).total bytes). */
  readonly key: Uint8Array;
}

export type Auth = 'psk' | 'pubkey';

export interface Connection {
  readonly name: string;
  readonly version: 1 | 2;
  /** IKEv1 phase 1 exchange (default 'main'); absent for IKEv2. */
  readonly mode?: 'main' | 'aggressive';
  readonly local: LocalEnd;
  readonly remote: RemoteEnd;
  /** The pre-shared key, when either end authenticates with one. */
  readonly psk?: Uint8Array;
  readonly ike: IkeSettings;
  readonly children: readonly Child[];
}

export interface LocalEnd {
  /** Absent: any of gateway.listen. */
  readonly address?: Address;
  /** IKE identity; absent: the address IKE runs on. */
  readonly id?: string;
  readonly auth: Auth;
  /** auth pubkey: certificate and private key files, absolute paths. */
  readonly cert?: string;
  readonly key?: string;
}

export interface RemoteEnd {
  /** 'any': roaming peers, responder only. */
  readonly address: Address | 'any';
  readonly id?: string;
  readonly auth: Auth;
  /** auth pubkey: trust anchors (CA certificate files, absolute paths). */
  readonly ca: readonly string[];
}

export interface Lifetime {
  /** Seconds. */
  readonly time: number;
  /** Absent: no byte limit. */
  readonly kilobytes?: number;
  /** CHILD SAs: packets both ways (strongSwan's life_packets); a local limit, not negotiated. Absent: none. */
  readonly packets?: number;
}

export interface IkeSettings {
  /** In order of preference; 'default' entries expanded (defaults.ts). */
  readonly proposals: readonly Proposal[];
  readonly lifetime: Lifetime;
  /** IKEv2, seconds: reauthenticate (a new IKE SA from IKE_SA_INIT, its CHILD SAs made anew) this long after establishment; absent: never. */
  readonly reauth?: number;
  /** Absent: no dead peer detection. `timeout` (seconds): IKEv1 default 150 as strongSwan's dpd_timeout; IKEv2 optional, cuts a liveness check's retransmissions short. */
  readonly dpd?: { readonly delay: number; readonly action: 'clear' | 'hold' | 'restart'; readonly timeout?: number };
  readonly natTraversal: 'auto' | 'force' | 'off';
}

/** 'dynamic' (the default, as in swanctl): the address the IKE SA runs on. */
export type TrafficSelectors = readonly Prefix[] | 'dynamic';

export interface Child {
  readonly name: string;
  readonly localTs: TrafficSelectors;
  readonly remoteTs: TrafficSelectors;
  readonly mode: Mode;
  readonly protocol: IpsecProtocol;
  /** Parsed as ESP or AH proposals, by `protocol`. */
  readonly proposals: readonly Proposal[];
  /**
   * 'none'; a D-H group: PFS of keys, a fresh exchange per CHILD SA; 'identities' (IKEv1 only):
   * PFS of identities, the ISAKMP SA deleted after each Quick Mode (RFC 2409 §8).
   */
  readonly pfs: 'none' | 'identities' | DhTransform;
  readonly lifetime: Lifetime;
  readonly start: 'trap' | 'start' | 'none';
}

export interface LoadResult {
  /** Only when no diagnostic is an error. */
  readonly config?: Config;
  /** Errors first, then warnings; each in file order. */
  readonly diagnostics: readonly Diagnostic[];
}
