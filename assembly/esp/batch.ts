// The engine's entry points: a batch of packet slots in, a verdict per slot out (layout.ts). The
// host fills the slots (TUN reads for espEncapBatch, socket reads for espDecapBatch), calls once,
// and sends, writes or hands on each slot by its verdict. `now` is the host's clock (ms), stamped
// on the SAs that carried traffic.
import { CONTROL, decapsulate } from "./decap";
import { encapsulate } from "./encap";
import { flow, parseFlow } from "./ip";
import {
  ACTION_BYPASS, ACTION_DROP, ACTION_PROTECT, CONTROL_TRAP, DROP_MALFORMED, DROP_NO_POLICY, DROP_SPD,
  SA_ACTIVE, SA_STATE, SLOT_AUX, SLOT_LEN, SLOT_OFF, SLOT_REASON, SLOT_SA, SLOT_SIZE, SLOT_VERDICT,
  SPD_ACTION, SPD_ID, SPD_SA, VERDICT_BYPASS, VERDICT_CONTROL, VERDICT_DROP, VERDICT_SEND,
} from "./layout";
import { saAt } from "./sad";
import { spdFound, spdLookup } from "./spd";
import { STATS_DECAP, STATS_ENCAP, countDrop, countPassed } from "./stats";

function verdict(slot: usize, v: u32, reason: u32): void {
  store<u32>(slot + SLOT_VERDICT, v);
  store<u32>(slot + SLOT_REASON, reason);
}

function dropSlot(slot: usize, reason: u32, sa: usize): void {
  verdict(slot, VERDICT_DROP, reason);
  countDrop(reason, sa);
}

/** Outbound (RFC 4301 §5.1): SPD lookup by the inner packet, then protect, bypass, drop or trap. */
function encapSlot(slot: usize, now: u64): void {
  store<u32>(slot + SLOT_SA, 0xffffffff);
  store<u32>(slot + SLOT_AUX, 0);
  if (!parseFlow(<usize>load<u32>(slot + SLOT_OFF), <usize>load<u32>(slot + SLOT_LEN))) {
    dropSlot(slot, DROP_MALFORMED, 0);
    return;
  }
  const e = spdLookup(flow());
  if (!e) {
    dropSlot(slot, DROP_NO_POLICY, 0);
    return;
  }
  const action = load<u8>(e + SPD_ACTION);
  if (action == ACTION_BYPASS) {
    verdict(slot, VERDICT_BYPASS, 0);
    return;
  }
  if (action == ACTION_DROP) {
    dropSlot(slot, DROP_SPD, 0);
    return;
  }
  const index = load<u32>(e + SPD_SA);
  const sa = action == ACTION_PROTECT ? saAt(index) : 0;
  if (!sa || load<u32>(sa + SA_STATE) != SA_ACTIVE) {
    // A trap policy, or a protect policy whose SA is gone (expired, being rekeyed): ask the
    // control plane for one (an acquire), handing it the packet.
    store<u32>(slot + SLOT_SA, spdFound);
    store<u32>(slot + SLOT_AUX, load<u32>(e + SPD_ID));
    verdict(slot, VERDICT_CONTROL, CONTROL_TRAP);
    return;
  }
  store<u32>(slot + SLOT_SA, index);
  const reason = encapsulate(slot, sa, flow(), now);
  if (reason) {
    dropSlot(slot, reason, sa);
    return;
  }
  verdict(slot, VERDICT_SEND, 0);
  countPassed(STATS_ENCAP);
}

/** Protects the n slots at `slots`. */
export function espEncapBatch(slots: usize, n: u32, now: u64): void {
  for (let i: u32 = 0; i < n; i++) encapSlot(slots + <usize>i * SLOT_SIZE, now);
}

/** Decapsulates the n slots at `slots`. */
export function espDecapBatch(slots: usize, n: u32, now: u64): void {
  for (let i: u32 = 0; i < n; i++) {
    const slot = slots + <usize>i * SLOT_SIZE;
    const r = decapsulate(slot, now);
    if (r == 0) {
      verdict(slot, VERDICT_SEND, 0);
      countPassed(STATS_DECAP);
    } else if (r & CONTROL) {
      verdict(slot, VERDICT_CONTROL, r & ~CONTROL);
    } else {
      const index = load<u32>(slot + SLOT_SA);
      dropSlot(slot, r, index == 0xffffffff ? 0 : saAt(index));
    }
  }
}
