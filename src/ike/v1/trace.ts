// A message in the notation of RFC 2409 ("HDR*, HASH(1), SA, Ni, KE, IDci, IDcr -->"), for debug
// logs and for the transcripts of the in-process tests.
import { NOTIFY, PAYLOAD, name as constName, type Decoded } from '../codec/v1/index.js';
import type { Kind } from './rules.js';

/** Whether a message of this kind travels from the exchange's initiator. */
const FROM_INITIATOR: Readonly<Record<Kind, boolean>> = {
  main1: true, main2: false, main3: true, main4: false, main5: true, main6: false,
  aggr1: true, aggr2: false, aggr3: true, quick1: true, quick2: false, quick3: true, info: true,
};

export function annotate(kind: Kind, encrypted: boolean, payloads: readonly Decoded[]): string {
  const i = FROM_INITIATOR[kind], quick = kind.startsWith('quick');
  let ids = 0, oas = 0;
  const parts = payloads.map(({ payload: p }) => {
    switch (p.type) {
      case PAYLOAD.NONCE: return i ? 'Ni' : 'Nr';
      case PAYLOAD.ID: return quick ? (ids++ === 0 ? 'IDci' : 'IDcr') : i ? 'IDii' : 'IDir';
      case PAYLOAD.HASH:
        if (quick) return `HASH(${kind.slice(-1)})`;
        return kind === 'info' ? 'HASH(1)' : i ? 'HASH_I' : 'HASH_R';
      case PAYLOAD.SIG: return i ? 'SIG_I' : 'SIG_R';
      case PAYLOAD.N: return `N(${constName(NOTIFY, (p as { notifyType: number }).notifyType)})`;
      case PAYLOAD.NAT_D: case PAYLOAD.NAT_D_DRAFT: return 'NAT-D';
      // RFC 3947 §5.2: the first is the initiator's address, the second the responder's, whoever sends them.
      case PAYLOAD.NAT_OA: case PAYLOAD.NAT_OA_DRAFT: return oas++ === 0 ? 'NAT-OAi' : 'NAT-OAr';
      case PAYLOAD.CR: return 'CERTREQ';
      default: return constName(PAYLOAD, p.type);
    }
  });
  const text = [encrypted ? 'HDR*' : 'HDR', ...parts].join(', ');
  return i ? `${text} -->` : `<-- ${text}`;
}
