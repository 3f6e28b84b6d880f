// From a strongSwan ESP / AH proposal to the engine's algorithm fields (engine.ts SaSpec): the one
// place where config's names (src/config/proposal.ts) meet the datapath's.
import { espSuite, espSuiteSupport, parseProposal, type EspSuite } from '../config/proposal.js';
import type { EncAlgorithm, IntegAlgorithm, SaSpec } from './engine.js';

export type EngineAlgorithms = Pick<SaSpec, 'enc' | 'encKeyBytes' | 'integ' | 'icvBytes'>;

const ENC: Partial<Record<string, EncAlgorithm>> = {
  'null': 'null', 'aes-cbc': 'aes-cbc', 'aes-gcm': 'aes-gcm', 'chacha20-poly1305': 'chacha20-poly1305', '3des': '3des-cbc', des: 'des-cbc',
};
const INTEG: Partial<Record<string, IntegAlgorithm>> = {
  sha1: 'hmac-sha1', sha256: 'hmac-sha256', sha384: 'hmac-sha384', sha512: 'hmac-sha512',
};

/** The engine's algorithms for a suite the datapath supports; throws with the reason otherwise. */
export function engineAlgorithms(suite: EspSuite): EngineAlgorithms {
  const support = espSuiteSupport(suite);
  if (!support.supported) throw new RangeError(support.reason);
  return {
    enc: ENC[suite.encr.family]!,
    encKeyBytes: suite.encr.keyBytes,
    icvBytes: suite.encr.aead ? suite.encr.icvBytes : undefined,
    integ: suite.integ ? INTEG[suite.integ.name]! : 'none',
  };
}

/** The single suite of one ESP proposal string ("aes128gcm16", "aes256-sha256"); throws on errors. */
export function espSuiteOf(proposal: string): EspSuite {
  const parsed = parseProposal(proposal, 'esp');
  if (!parsed.ok) throw new RangeError(`ESP proposal '${proposal}': ${parsed.error.message}`);
  const suite = espSuite(parsed.proposal);
  if ('message' in suite) throw new RangeError(`ESP proposal '${proposal}': ${suite.message}`);
  return suite;
}
