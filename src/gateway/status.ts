// The answer to the control socket's `status` (and `ipsecgw status --json`): a contract with
// scripts — fields are added, never renamed. 64-bit counters are decimal strings; times are
// whole seconds relative to the answer.
import type { ChildSaStatus, IkeMessageStats, IkeSaStatus } from '../ike/status.js';
import type { Role } from '../dataplane/worker.js';

/** One direction of a manual entry: the engine's SA. */
export interface ManualSaStatus {
  spi: string;
  state: 'free' | 'active' | 'expired' | 'dying';
  seq: string;
  packets: string;
  bytes: string;
  /** Milliseconds since the epoch of the last packet, "0" before the first. */
  used: string;
  soft: boolean;
  peerMoved: boolean;
  /** Where the peer now is, when it moved (UDP encapsulation behind a NAT). */
  peer?: string;
  peerPort: number;
  drops: Record<string, number>;
}

export interface ManualStatus {
  name: string;
  mode: 'tunnel' | 'transport';
  protocol: 'esp' | 'ah';
  local: string;
  remote: string;
  encap: 'udp' | 'none';
  localTs: string[];
  remoteTs: string[];
  out: ManualSaStatus;
  in: ManualSaStatus;
}

/** One datapath worker's counters (engine.ts LaneStats): packets protected, accepted, dropped by reason. */
export interface WorkerStatus {
  /** tx: TUN → ESP → the wire; rx: the wire → ESP → TUN; both: a lone worker (src/dataplane/worker.ts). */
  role: Role;
  encap: string;
  decap: string;
  drops: Record<string, string>;
}

export interface GatewayStatus {
  gateway: string;
  /** Seconds since the gateway started. */
  uptime: number;
  tun: string;
  /** Every IKE SA, both versions. */
  ike: IkeSaStatus[];
  /** Every CHILD SA; `ike` names its IKE SA's `id` (IKEv1 pairs may have outlived theirs). */
  children: ChildSaStatus[];
  manual: ManualStatus[];
  /** IKE messages received and dropped (by reason), per version. */
  ikeMessages: { v1?: IkeMessageStats; v2?: IkeMessageStats };
  datapath: WorkerStatus[];
  controlPackets: number;
  /** process.memoryUsage(), bytes. */
  memory: Record<string, number>;
}
