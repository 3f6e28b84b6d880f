// A flood of IKE_SA_INIT requests (RFC 7296 §2.6's attacker), for the interop test: run in a
// namespace as `node ike-flood.js TARGET FIRST_ADDRESS COUNT PER_ADDRESS` with the addresses
// FIRST_ADDRESS … (COUNT of them, consecutive) on an interface there. Each address sends
// PER_ADDRESS requests with fresh SPIs and nonces (and a D-H value no one will use); prints one
// JSON line: how many answers came back, and how many of them were COOKIE notifies.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { parseProposal } from '../../src/config/proposal.js';
import { EXCHANGE, FLAG, NOTIFY, PAYLOAD, decodeMessage, decodePayloads, encodeMessage, type NotifyPayload } from '../../src/ike/codec/v2/index.js';
import { ikeOffer } from '../../src/ike/v2/proposals.js';

const [target, first, count, perAddress] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const proposal = parseProposal('aes128-sha256-modp2048', 'ike');
if (!proposal.ok) throw new Error('bad proposal');
const base = first.split('.').map(Number);
let answers = 0, cookies = 0, sent = 0;
const sockets: dgram.Socket[] = [];

for (let i = 0; i < count; i++) {
  const address = [...base.slice(0, 3), base[3] + i].join('.');
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  s.on('message', (m) => {
    answers++;
    const { header, body } = decodeMessage(new Uint8Array(m));
    if (decodePayloads(header.nextPayload, body).some((d) => d.payload.type === PAYLOAD.N && (d.payload as NotifyPayload).notifyType === NOTIFY.COOKIE)) cookies++;
  });
  s.bind(0, address, () => {
    for (let k = 0; k < perAddress; k++) {
      const ke = new Uint8Array(randomBytes(256));
      ke[0] = 0x7f; // below the MODP-2048 prime
      const message = encodeMessage({ spiI: new Uint8Array(randomBytes(8)), spiR: new Uint8Array(8), exchange: EXCHANGE.IKE_SA_INIT, flags: FLAG.INITIATOR, messageId: 0 }, [
        ikeOffer([proposal.proposal], undefined, 14),
        { type: PAYLOAD.KE, group: 14, data: ke },
        { type: PAYLOAD.NONCE, data: new Uint8Array(randomBytes(32)) },
      ]);
      s.send(message, 500, target, () => void sent++);
    }
  });
}

setTimeout(() => {
  for (const s of sockets) s.close();
  process.stdout.write(`${JSON.stringify({ sent, answers, cookies })}\n`);
}, 3000);
