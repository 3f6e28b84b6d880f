// Which payloads each message may carry, checked before any exchange handler sees the message — as
// strongSwan's message.c does with its per-exchange rule tables (payload_rules_t). RFC 7296 §1.2
// (IKE_SA_INIT, IKE_AUTH), §1.3 (CREATE_CHILD_SA: §1.3.1 new CHILD SA, §1.3.2 rekeying the IKE SA,
// §1.3.3 rekeying a CHILD SA), §1.4 (INFORMATIONAL), §2.6 (cookies), §2.16 (EAP), RFC 6023
// (childless IKE_AUTH), RFC 4739 (multiple authentication).
//
// For IKE_AUTH, CREATE_CHILD_SA and INFORMATIONAL the list is the DECRYPTED inner payloads (the
// outer message is just SK). Each message kind has one or more shapes; the message must fit one.
// A shape gives, per payload type, how many may appear [min, max]; payload types it doesn't name
// may not appear; SA, TSi and TSr of a CHILD SA come all together or not at all. Unknown
// non-critical payloads are ignored (§2.5; critical ones were refused by decodePayloads). The
// reason returned is the first shape's (the normal case), unless the message is an error-notify
// reply: then the error shape's.

import { NOTIFY, NOTIFY_STATUS_FIRST, PAYLOAD } from './constants.js';
import { isKnownPayloadType, payloadName, type Decoded } from './payload.js';
import type { NotifyPayload } from './notify.js';

export type MessageKind = 'init-req' | 'init-resp' | 'auth-req' | 'auth-resp' | 'child-req' | 'child-resp' | 'info-req' | 'info-resp';

type Count = readonly [min: number, max: number];
const ONE: Count = [1, 1], OPT: Count = [0, 1], ANY: Count = [0, Infinity];

interface Shape {
  name: string;
  counts: Partial<Record<number, Count>>;
  /** All present or all absent. */
  together?: readonly number[];
  /** For error replies: at least one N must satisfy this. */
  needNotify?: (n: NotifyPayload) => boolean;
}

const isError = (n: NotifyPayload): boolean => n.notifyType < NOTIFY_STATUS_FIRST;
const CHILD = [PAYLOAD.SA, PAYLOAD.TSi, PAYLOAD.TSr] as const;
const { SA, KE, IDi, IDr, CERT, CERTREQ, AUTH, NONCE, N, D, V, TSi, TSr, CP, EAP } = PAYLOAD;

const SHAPES: Readonly<Record<MessageKind, readonly Shape[]>> = {
  // §1.2: HDR, SAi1, KEi, Ni [, N(COOKIE) first after a cookie request, §2.6] [, N(NAT_DETECTION…)] [, V]
  'init-req': [{ name: 'IKE_SA_INIT request', counts: { [SA]: ONE, [KE]: ONE, [NONCE]: ONE, [N]: ANY, [V]: ANY } }],
  // §1.2: HDR, SAr1, KEr, Nr, [CERTREQ]; or a lone N: COOKIE (§2.6), INVALID_KE_PAYLOAD (§1.2),
  // NO_PROPOSAL_CHOSEN or another error, REDIRECT (RFC 5685 §3.2).
  'init-resp': [
    { name: 'IKE_SA_INIT response', counts: { [SA]: ONE, [KE]: ONE, [NONCE]: ONE, [CERTREQ]: ANY, [N]: ANY, [V]: ANY } },
    {
      name: 'IKE_SA_INIT notify response', counts: { [N]: [1, Infinity], [V]: ANY },
      needNotify: (n) => isError(n) || n.notifyType === NOTIFY.COOKIE || n.notifyType === NOTIFY.REDIRECT,
    },
  ],
  // §1.2: HDR, SK {IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr}; AUTH absent asks for EAP
  // (§2.16); SAi2/TSi/TSr absent with RFC 6023. Later EAP rounds: SK {EAP}, then SK {AUTH}.
  'auth-req': [
    {
      name: 'IKE_AUTH request',
      counts: { [IDi]: ONE, [CERT]: ANY, [CERTREQ]: ANY, [IDr]: OPT, [AUTH]: OPT, [CP]: OPT, [SA]: OPT, [TSi]: OPT, [TSr]: OPT, [N]: ANY, [V]: ANY },
      together: CHILD,
    },
    { name: 'IKE_AUTH EAP request', counts: { [EAP]: ONE, [N]: ANY, [V]: ANY } },
    { name: 'IKE_AUTH final EAP request', counts: { [AUTH]: ONE, [N]: ANY, [V]: ANY } },
  ],
  // §1.2: HDR, SK {IDr, [CERT,] AUTH, SAr2, TSi, TSr}, without the CHILD SA when it failed (then an
  // N error says why: NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, …); or only N errors (AUTHENTICATION_FAILED).
  // EAP (§2.16): SK {IDr, [CERT,] AUTH, EAP}, SK {EAP}, and last SK {AUTH, SAr2, TSi, TSr}.
  'auth-resp': [
    {
      name: 'IKE_AUTH response',
      counts: { [IDr]: ONE, [CERT]: ANY, [AUTH]: ONE, [CP]: OPT, [SA]: OPT, [TSi]: OPT, [TSr]: OPT, [N]: ANY, [V]: ANY },
      together: CHILD,
    },
    { name: 'IKE_AUTH error response', counts: { [N]: [1, Infinity], [V]: ANY }, needNotify: isError },
    { name: 'IKE_AUTH EAP response', counts: { [IDr]: OPT, [CERT]: ANY, [AUTH]: OPT, [EAP]: ONE, [N]: ANY, [V]: ANY } },
    {
      name: 'IKE_AUTH final EAP response',
      counts: { [AUTH]: ONE, [CP]: OPT, [SA]: OPT, [TSi]: OPT, [TSr]: OPT, [N]: ANY, [V]: ANY },
      together: CHILD,
    },
  ],
  // §1.3.1 / §1.3.3: HDR, SK {[N(REKEY_SA)], [N…], SA, Ni, [KEi], TSi, TSr};
  // §1.3.2: HDR, SK {SA, Ni, KEi} — rekeying the IKE SA, no traffic selectors.
  'child-req': [
    { name: 'CREATE_CHILD_SA request', counts: { [SA]: ONE, [NONCE]: ONE, [KE]: OPT, [TSi]: ONE, [TSr]: ONE, [N]: ANY, [V]: ANY } },
    { name: 'CREATE_CHILD_SA request rekeying the IKE SA', counts: { [SA]: ONE, [NONCE]: ONE, [KE]: ONE, [N]: ANY, [V]: ANY } },
  ],
  'child-resp': [
    { name: 'CREATE_CHILD_SA response', counts: { [SA]: ONE, [NONCE]: ONE, [KE]: OPT, [TSi]: ONE, [TSr]: ONE, [N]: ANY, [V]: ANY } },
    { name: 'CREATE_CHILD_SA response rekeying the IKE SA', counts: { [SA]: ONE, [NONCE]: ONE, [KE]: ONE, [N]: ANY, [V]: ANY } },
    { name: 'CREATE_CHILD_SA error response', counts: { [N]: [1, Infinity], [V]: ANY }, needNotify: isError },
  ],
  // §1.4: HDR, SK {[N,] [D,] [CP,] ...}; empty for liveness checks (§1.4, §2.4).
  'info-req': [{ name: 'INFORMATIONAL request', counts: { [N]: ANY, [D]: ANY, [CP]: ANY, [V]: ANY } }],
  'info-resp': [{ name: 'INFORMATIONAL response', counts: { [N]: ANY, [D]: ANY, [CP]: ANY, [V]: ANY } }],
};


function check(shape: Shape, payloads: readonly Decoded[]): string | null {
  const seen = new Map<number, number>();
  for (const { payload } of payloads) {
    if (!isKnownPayloadType(payload.type)) continue; // unknown, non-critical: ignored (§2.5)
    if (payload.type === PAYLOAD.SK || payload.type === PAYLOAD.SKF) return `${shape.name}: ${payloadName(payload.type)} (check the decrypted inner payloads)`;
    if (!shape.counts[payload.type]) return `${shape.name}: unexpected ${payloadName(payload.type)} payload`;
    seen.set(payload.type, (seen.get(payload.type) ?? 0) + 1);
  }
  for (const [t, [min, max]] of Object.entries(shape.counts) as unknown as [number, Count][]) {
    const n = seen.get(Number(t)) ?? 0;
    if (n < min) return `${shape.name}: ${min === 1 && max === 1 ? 'no' : `${n} of at least ${min}`} ${payloadName(Number(t))} payload${min > 1 ? 's' : ''}`;
    if (n > max) return `${shape.name}: ${n} ${payloadName(Number(t))} payloads, at most ${max}`;
  }
  if (shape.together) {
    const present = shape.together.filter((t) => seen.has(t));
    if (present.length && present.length !== shape.together.length) {
      return `${shape.name}: ${present.map(payloadName).join(', ')} without ${shape.together.filter((t) => !seen.has(t)).map(payloadName).join(', ')}`;
    }
  }
  if (shape.needNotify && !payloads.some(({ payload: p }) => p.type === PAYLOAD.N && shape.needNotify!(p as NotifyPayload))) {
    return `${shape.name}: no notify of a fitting type`;
  }
  return null;
}

/** Why these payloads don't make a valid message of this kind, or null when they do. */
export function checkPayloads(kind: MessageKind, payloads: readonly Decoded[]): string | null {
  const shapes = SHAPES[kind];
  if (!shapes) return `unknown message kind ${String(kind)}`;
  const reasons = shapes.map((s) => check(s, payloads));
  if (reasons.some((r) => r === null)) return null;
  // An all-notify message that failed only as an error reply explains itself better with that shape.
  const onlyN = payloads.length > 0 && payloads.every(({ payload: p }) => p.type === PAYLOAD.N || p.type === PAYLOAD.V || !isKnownPayloadType(p.type));
  const errShape = shapes.findIndex((s) => s.needNotify);
  return onlyN && errShape >= 0 ? reasons[errShape] : reasons[0];
}

/** The message kind of a header's exchange type and R flag, or undefined for other exchanges. */
export function messageKind(exchange: number, response: boolean): MessageKind | undefined {
  const base = ({ 34: 'init', 35: 'auth', 36: 'child', 37: 'info' } as Record<number, string>)[exchange];
  return base ? (`${base}-${response ? 'resp' : 'req'}` as MessageKind) : undefined;
}
