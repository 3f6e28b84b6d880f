// Proposal strings, read as strongSwan 5.9 reads swanctl.conf's `proposals`, `esp_proposals` and
// `ah_proposals` (libstrongswan proposal.c, proposal_create_from_string and check_proposal):
//
//   1. Split at '-', trim spaces around each token, skip empty tokens ("aes128--sha256" is fine).
//   2. Look every token up (case sensitive). Several algorithms of one kind are alternatives, in
//      order of preference: "aes128-aes256-sha256-sha1-modp2048" offers every combination.
//   3. Check the whole by its protocol:
//      IKE  needs encryption; classic ciphers need integrity; AEADs drop integrity; a PRF is given
//           or derived from the integrity algorithms (so an AEAD-only IKE proposal needs an
//           explicit PRF); and at least one real D-H group ('modpnone' is dropped).
//      ESP  needs encryption; AEADs drop integrity; classic and AEAD ciphers don't mix; PRFs are
//           dropped; D-H groups are PFS (with 'modpnone' meaning PFS is optional); no ESN means noesn.
//      AH   needs integrity (AES-GMAC counts); encryption and PRFs are dropped; ESN as for ESP.
//
// Where strongSwan silently drops a token we accept the string too but say so in `warnings`.
// Where strongSwan accepts what the RFCs forbid we refuse, and the message says why: NULL or
// AES-GMAC "encryption" in IKE (IANA marks both not allowed for IKEv2), and ESP with neither
// encryption nor integrity (RFC 4303 §3.2: at least one of them MUST be selected).
// Errors are values with the token's offset, so the YAML loader can point at FILE:LINE:COL.

import { KEYWORDS, SUGGESTION_CANDIDATES, UNSUPPORTED } from './keywords.js';
import { didYouMean } from './suggest.js';
import {
  derivePrfs, esnOff, integAesGmac, PRF_FOR_INTEG, type AesKeyBits, type DhTransform, type EncrTransform,
  type EsnTransform, type IntegTransform, type PrfTransform, type Transform,
} from './transforms.js';

export { derivePrfs } from './transforms.js';
export type * from './transforms.js';
export { espKeyBytes, splitEspKey, espSuite, espSupport, espSuiteSupport, ESP_DATAPATH_ENCR, ESP_DATAPATH_INTEG } from './esp.js';
export type { EspSuite, EspKeyLayout, EspKeys, Support } from './esp.js';
export { weaknesses } from './weaknesses.js';
export type { Weakness, WeaknessLevel } from './weaknesses.js';
export { checkIkev1 } from './ikev1.js';
export type { Ikev1Check } from './ikev1.js';

export type ProposalKind = 'ike' | 'esp' | 'ah';

/** One parsed proposal: per transform type, the alternatives in order of preference. */
export interface Proposal {
  readonly kind: ProposalKind;
  /** IKE and ESP: at least one; all AEAD or all classic. AH: empty. */
  readonly encr: readonly EncrTransform[];
  /** Classic-cipher IKE and ESP, and AH. Empty with AEADs (and for integrity-less ESP encryption). */
  readonly integ: readonly IntegTransform[];
  /** IKE only: explicit, or derived from `integ` as strongSwan does. */
  readonly prf: readonly PrfTransform[];
  /** IKE: the key exchange, at least one real group. ESP/AH: PFS groups, empty for no PFS; may hold 'modpnone'. */
  readonly dh: readonly DhTransform[];
  /** ESP and AH: at least one, [noesn] when the string names none. IKE: empty. */
  readonly esn: readonly EsnTransform[];
}

/** Where something sits in the proposal string: offset and length in UTF-16 units. */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** An error or a warning about a proposal string, at the offending token (or the whole string). */
export interface ProposalIssue extends Span {
  readonly message: string;
  /** A keyword or a whole proposal to use instead, when there is an obvious one. */
  readonly suggestion?: string;
}
export type ProposalError = ProposalIssue;

/** Where each transform of the proposal was written; a derived PRF points at its integrity token. */
export type Spans = ReadonlyMap<Transform, Span>;

export type ParseResult =
  | { readonly ok: true; readonly proposal: Proposal; readonly spans: Spans; readonly warnings: readonly ProposalIssue[] }
  | { readonly ok: false; readonly error: ProposalError };

export interface Token extends Span {
  readonly text: string;
}

/** Split at '-' and trim ' ' as strongSwan's token enumerator does; empty tokens are skipped. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text[i] !== '-') continue;
    let a = start, b = i;
    while (a < b && text[a] === ' ') a++;
    while (b > a && text[b - 1] === ' ') b--;
    if (b > a) tokens.push({ text: text.slice(a, b), offset: a, length: b - a });
    start = i + 1;
  }
  return tokens;
}

const whole = (text: string): Span => ({ offset: 0, length: text.length });
const issue = (span: Span, message: string, suggestion?: string): ProposalIssue =>
  suggestion === undefined ? { offset: span.offset, length: span.length, message } : { offset: span.offset, length: span.length, message, suggestion };

/** The transform a token names, or the error to report for it. */
function lookup(tok: Token, text: string): Transform | ProposalError {
  const t = KEYWORDS.get(tok.text);
  if (t) return t;
  const unsupported = UNSUPPORTED.get(tok.text);
  if (unsupported) {
    return issue(tok, `algorithm '${tok.text}' in '${text}' is ${unsupported.what}, which ipsecgw does not support; ${unsupported.instead}`);
  }
  const lower = tok.text.toLowerCase();
  if (lower !== tok.text && (KEYWORDS.has(lower) || UNSUPPORTED.has(lower))) {
    return issue(tok, `unknown algorithm '${tok.text}' in '${text}'; keywords are lower case: did you mean '${lower}'?`, lower);
  }
  const guess = didYouMean(tok.text, SUGGESTION_CANDIDATES);
  return issue(tok, `unknown algorithm '${tok.text}' in '${text}'${guess ? `; did you mean '${guess}'?` : ''}`, guess);
}

const PROTOCOL = { ike: 'IKE', esp: 'ESP', ah: 'AH' } as const;

/**
 * Parse one strongSwan proposal string for IKE (IKEv1 and IKEv2 read the same syntax), ESP or AH.
 * Never throws for bad input: the result says what is wrong and where.
 */
export function parseProposal(text: string, kind: ProposalKind): ParseResult {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { ok: false, error: issue(whole(text), `empty ${PROTOCOL[kind]} proposal`) };
  if (tokens.length === 1 && tokens[0].text.toLowerCase() === 'default') {
    // swanctl's 'default' (any case) is no algorithm: its config parser replaces the whole list
    // entry with the built-in default proposals (vici_config.c, parse_proposal).
    return {
      ok: false,
      error: issue(tokens[0], `'${tokens[0].text}' stands for the default ${PROTOCOL[kind]} proposals as a whole list entry; ` +
        'the configuration loader expands it, parseProposal does not'),
    };
  }

  const warnings: ProposalIssue[] = [];
  const spans = new Map<Transform, Span>();
  const encr: EncrTransform[] = [], integ: IntegTransform[] = [], prf: PrfTransform[] = [];
  const dh: DhTransform[] = [], esn: EsnTransform[] = [];
  const push = <T extends Transform>(list: T[], t: T, tok: Token): void => {
    if (spans.has(t)) {
      // strongSwan keeps duplicates; offering an algorithm twice only lengthens the SA payload.
      warnings.push(issue(tok, `'${tok.text}' in '${text}' repeats '${t.name}'; the repetition is ignored`));
      return;
    }
    spans.set(t, { offset: tok.offset, length: tok.length });
    list.push(t);
  };
  const ignored = (tok: Token, why: string) => warnings.push(issue(tok, `'${tok.text}' in '${text}' is ignored: ${why}`));

  // Every token first, as strongSwan does: a typo is reported before any rule about the whole.
  const looked: Array<[Token, Transform]> = [];
  for (const tok of tokens) {
    const t = lookup(tok, text);
    if (!('kind' in t)) return { ok: false, error: t };
    looked.push([tok, t]);
  }

  let firstEncr: { t: EncrTransform; tok: Token } | undefined;
  for (const [tok, t] of looked) {
    switch (t.kind) {
      case 'encr':
        if (kind === 'ah') {
          // strongSwan reads aesNNNgmac as an encryption keyword and turns it into the AH integrity
          // algorithm AUTH_AES_NNN_GMAC (RFC 4543); other ciphers are dropped from AH proposals.
          if (t.family === 'aes-gmac') push(integ, integAesGmac[(t.keyBytes * 8) as AesKeyBits], tok);
          else ignored(tok, 'AH authenticates only; its proposals take integrity algorithms');
          break;
        }
        if (kind === 'ike' && (t.family === 'null' || t.family === 'aes-gmac')) {
          // IANA's Transform Type 1 registry marks ENCR_NULL and ENCR_NULL_AUTH_AES_GMAC "not allowed"
          // for IKEv2: the IKE SA must be encrypted. (strongSwan accepts them here.)
          return { ok: false, error: issue(tok, `'${tok.text}' in '${text}' gives no confidentiality and is not allowed in IKE proposals (only in ESP)`) };
        }
        if (firstEncr && firstEncr.t.aead !== t.aead) {
          const [aead, classic] = t.aead ? [tok.text, firstEncr.tok.text] : [firstEncr.tok.text, tok.text];
          return {
            ok: false,
            error: issue(tok, `'${tok.text}' in '${text}': classic ciphers ('${classic}') and AEAD ciphers ('${aead}') ` +
              `can't be in the same ${PROTOCOL[kind]} proposal; write two proposals`),
          };
        }
        firstEncr ??= { t, tok };
        push(encr, t, tok);
        break;
      case 'integ':
        push(integ, t, tok);
        break;
      case 'prf':
        if (kind === 'ike') push(prf, t, tok);
        else ignored(tok, `PRFs are negotiated for IKE only, not in ${PROTOCOL[kind]} proposals`);
        break;
      case 'dh':
        push(dh, t, tok);
        break;
      case 'esn':
        if (kind === 'ike') ignored(tok, 'extended sequence numbers apply to ESP and AH SAs only (RFC 7296 §3.3.2)');
        else push(esn, t, tok);
        break;
    }
  }

  const error = kind === 'ike'
    ? checkIke(text, tokens, encr, integ, prf, dh, spans, warnings)
    : kind === 'esp' ? checkEsp(text, encr, integ, spans, warnings) : checkAh(text, integ);
  if (error) return { ok: false, error };

  if (kind !== 'ike' && esn.length === 0) esn.push(esnOff); // check_proposal: "ESN not specified, assume not supported"
  const proposal: Proposal = Object.freeze({
    kind, encr: Object.freeze(encr), integ: Object.freeze(integ), prf: Object.freeze(prf),
    dh: Object.freeze(dh), esn: Object.freeze(esn),
  });
  return { ok: true, proposal, spans, warnings };
}

/** AEADs carry their own integrity: RFC 7296 §3.3 says an AEAD proposal offers no integrity transform (or only NONE). */
function dropIntegForAead(text: string, encr: EncrTransform[], integ: IntegTransform[], spans: Map<Transform, Span>,
  warnings: ProposalIssue[], andPrf: boolean): void {
  if (encr.length === 0 || !encr[0].aead || integ.length === 0) return;
  for (const i of integ) {
    const span = spans.get(i)!;
    const token = text.slice(span.offset, span.offset + span.length);
    const prf = andPrf ? PRF_FOR_INTEG.get(i) : undefined;
    warnings.push(issue(span, `'${token}' in '${text}' is not used for integrity: AEAD ciphers bring their own` +
      (prf ? `; it only selects the PRF ('${prf.name}')` : '')));
    spans.delete(i);
  }
  integ.length = 0;
}

/** text with '-keyword' written right after the token at span: the shape of a suggested fix. */
function insertAfter(text: string, span: Span, keyword: string): string {
  const end = span.offset + span.length;
  return `${text.slice(0, end)}-${keyword}${text.slice(end)}`;
}

function checkIke(text: string, tokens: Token[], encr: EncrTransform[], integ: IntegTransform[], prf: PrfTransform[],
  dh: DhTransform[], spans: Map<Transform, Span>, warnings: ProposalIssue[]): ProposalError | undefined {
  if (encr.length === 0) {
    return issue(whole(text), `IKE proposal '${text}' has no encryption algorithm; add one, e.g. '${['aes256', ...tokens.map((t) => t.text)].join('-')}'`);
  }
  const aead = encr[0].aead;
  if (!aead && integ.length === 0) {
    const sample = insertAfter(text, spans.get(encr[encr.length - 1])!, 'sha256');
    return issue(whole(text), `IKE proposal '${text}' with a classic cipher needs an integrity algorithm, e.g. '${sample}'`, sample);
  }
  const derived = prf.length === 0;
  if (derived) {
    // No explicit PRF: one per integrity algorithm, same primitive (strongSwan's check_proposal).
    for (const p of derivePrfs(integ)) {
      const source = integ.find((i) => PRF_FOR_INTEG.get(i) === p)!;
      prf.push(p);
      spans.set(p, spans.get(source)!);
    }
  }
  if (prf.length === 0) {
    // AEAD-only: nothing to derive a PRF from. strongSwan refuses ("a PRF algorithm is mandatory in
    // IKE proposals"); say what to write instead.
    const sample = insertAfter(text, spans.get(encr[encr.length - 1])!, 'prfsha256');
    return issue(whole(text), `IKE proposal '${text}' has only AEAD ciphers and no PRF; name one explicitly, e.g. '${sample}' ` +
      '(strongSwan derives the PRF from integrity algorithms only, and AEAD proposals have none)', sample);
  }
  dropIntegForAead(text, encr, integ, spans, warnings, derived);
  const none = dh.findIndex((g) => g.group === 0);
  if (none >= 0) {
    const g = dh[none];
    if (dh.length === 1) {
      return issue(spans.get(g)!, `'${g.name}' in '${text}': an IKE proposal needs a real D-H group, e.g. 'modp2048' or 'x25519'`);
    }
    // strongSwan removes D-H NONE from IKE proposals: the IKE SA always runs a key exchange.
    const span = spans.get(g)!;
    warnings.push(issue(span, `'${text.slice(span.offset, span.offset + span.length)}' in '${text}' is ignored: IKE always runs a D-H exchange`));
    spans.delete(g);
    dh.splice(none, 1);
  }
  if (dh.length === 0) {
    return issue(whole(text), `IKE proposal '${text}' has no D-H group; add one, e.g. '${text}-modp2048' or '${text}-x25519'`, `${text}-x25519`);
  }
  return undefined;
}

function checkEsp(text: string, encr: EncrTransform[], integ: IntegTransform[], spans: Map<Transform, Span>,
  warnings: ProposalIssue[]): ProposalError | undefined {
  if (encr.length === 0) {
    return issue(whole(text), `ESP proposal '${text}' has no encryption algorithm; add one (e.g. 'aes128gcm16', or 'aes128-sha256'), ` +
      `or 'null' for integrity-only ESP (e.g. 'null-${integ[0]?.name ?? 'sha256'}')`);
  }
  dropIntegForAead(text, encr, integ, spans, warnings, false);
  if (integ.length === 0 && encr.every((e) => e.family === 'null')) {
    // RFC 4303 §3.2: confidentiality and integrity are each optional, but not both.
    return issue(spans.get(encr[0])!, `ESP proposal '${text}': 'null' encryption needs an integrity algorithm, e.g. 'null-sha256' (RFC 4303 §3.2)`, 'null-sha256');
  }
  return undefined;
}

function checkAh(text: string, integ: IntegTransform[]): ProposalError | undefined {
  if (integ.length === 0) {
    return issue(whole(text), `AH proposal '${text}' has no integrity algorithm; AH needs one, e.g. 'sha256'`, 'sha256');
  }
  return undefined;
}

/** True when the proposal's PRFs are exactly those strongSwan would derive from its integrity algorithms. */
function prfIsDerivable(p: Proposal): boolean {
  const d = derivePrfs(p.integ);
  return d.length === p.prf.length && d.every((x, i) => x === p.prf[i]);
}

/**
 * The canonical strongSwan string: encryption, integrity, PRF, D-H groups, ESN, each with its
 * canonical keyword. PRFs that strongSwan would derive anyway are left out, and so is the
 * default 'noesn'; parseProposal(formatProposal(p)) gives back p.
 */
export function formatProposal(p: Proposal): string {
  const parts: string[] = [...p.encr, ...p.integ].map((t) => t.name);
  if (p.kind === 'ike' && !prfIsDerivable(p)) parts.push(...p.prf.map((t) => t.name));
  parts.push(...p.dh.map((t) => t.name));
  if (!(p.esn.length === 1 && p.esn[0] === esnOff)) parts.push(...p.esn.map((t) => t.name));
  return parts.join('-');
}

/**
 * The notation strongSwan logs and `swanctl --list-sas` prints, e.g.
 * "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" or "ESP:AES_GCM_16_128/NO_EXT_SEQ".
 */
export function describeProposal(p: Proposal): string {
  return `${PROTOCOL[p.kind]}:` + [...p.encr, ...p.integ, ...p.prf, ...p.dh, ...p.esn].map((t) => t.strongswan).join('/');
}
