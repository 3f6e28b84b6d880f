// Which payloads each IKEv1 message must and may carry, checked before any handler sees the
// message (the strongSwan way: one declarative table, not checks scattered through handlers).
// RFC 2409 §5 (Main and Aggressive Mode by authentication method), §5.5 (Quick Mode), §5.7 and
// RFC 2408 §4.8 (Informational); NAT-D from RFC 3947 §3.2, NAT-OA from §5.2.
import { PAYLOAD, type Decoded } from '../codec/v1/index.js';

export type Kind = 'main1' | 'main2' | 'main3' | 'main4' | 'main5' | 'main6' | 'aggr1' | 'aggr2' | 'aggr3' | 'quick1' | 'quick2' | 'quick3' | 'info';

interface Rule {
  /** Each entry: one of these payload types must be present (once, unless `repeat` allows more). */
  readonly required: ReadonlyArray<readonly number[]>;
  readonly optional: readonly number[];
  /** Payload types that may appear more than once. */
  readonly repeat?: readonly number[];
  /** The payload type that must come first (Quick Mode and Informational: HASH, RFC 2409 §5.5, §5.7). */
  readonly first?: number;
}

const { SA, KE, ID, CERT, CR, HASH, SIG, NONCE, N, D, VID, NAT_D, NAT_OA, NAT_D_DRAFT, NAT_OA_DRAFT } = PAYLOAD;
const NATD = [NAT_D, NAT_D_DRAFT];
const AUTH = [HASH, SIG];

export const RULES: Readonly<Record<Kind, Rule>> = {
  main1: { required: [[SA]], optional: [VID], repeat: [VID] },
  main2: { required: [[SA]], optional: [VID], repeat: [VID] },
  main3: { required: [[KE], [NONCE]], optional: [VID, CR, ...NATD], repeat: [VID, CR, ...NATD] },
  main4: { required: [[KE], [NONCE]], optional: [VID, CR, ...NATD], repeat: [VID, CR, ...NATD] },
  main5: { required: [[ID], AUTH], optional: [CERT, CR, N, VID], repeat: [CERT, N, VID, CR] },
  main6: { required: [[ID], AUTH], optional: [CERT, N, VID], repeat: [CERT, N, VID] },
  aggr1: { required: [[SA], [KE], [NONCE], [ID]], optional: [VID, CR], repeat: [VID, CR] },
  aggr2: { required: [[SA], [KE], [NONCE], [ID], AUTH], optional: [VID, CR, CERT, ...NATD], repeat: [VID, CR, CERT, ...NATD] },
  aggr3: { required: [AUTH], optional: [CERT, N, VID, ...NATD], repeat: [CERT, N, VID, ...NATD] },
  quick1: { required: [[HASH], [SA], [NONCE]], optional: [KE, ID, N, NAT_OA, NAT_OA_DRAFT], repeat: [ID, N, NAT_OA, NAT_OA_DRAFT], first: HASH },
  quick2: { required: [[HASH], [SA], [NONCE]], optional: [KE, ID, N, NAT_OA, NAT_OA_DRAFT], repeat: [ID, N, NAT_OA, NAT_OA_DRAFT], first: HASH },
  quick3: { required: [[HASH]], optional: [], first: HASH },
  info: { required: [[HASH], [N, D]], optional: [], first: HASH },
};

/** Why a message does not fit its rule, or null when it does. */
export function checkPayloads(kind: Kind, payloads: readonly Decoded[]): string | null {
  const rule = RULES[kind];
  const types = payloads.map((d) => d.payload.type);
  if (rule.first !== undefined && types[0] !== rule.first) return `${kind}: the first payload must be ${name(rule.first)}, not ${name(types[0])}`;
  const counts = new Map<number, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const alternatives of rule.required) {
    if (!alternatives.some((t) => counts.has(t))) return `${kind}: ${alternatives.map(name).join(' or ')} payload missing`;
  }
  const allowed = new Set([...rule.required.flat(), ...rule.optional]);
  for (const [t, n] of counts) {
    if (!allowed.has(t)) return `${kind}: unexpected ${name(t)} payload`;
    // Quick Mode carries IDci and IDcr: two ID payloads (RFC 2409 §5.5).
    const max = rule.repeat?.includes(t) ? (t === ID ? 2 : Infinity) : 1;
    if (n > max) return `${kind}: ${n} ${name(t)} payloads`;
  }
  return null;
}

const NAMES = new Map(Object.entries(PAYLOAD).map(([k, v]) => [v as number, k]));
const name = (t: number | undefined): string => (t === undefined ? 'none' : NAMES.get(t) ?? `type ${t}`);
