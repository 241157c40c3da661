/**
 * AWS Signature Version 4 (service `bedrock`) verified against key pairs this gateway's operator
 * issued, so an unmodified AWS SDK configured with such credentials (and no bearer token) works.
 *
 * The HMAC chain is not written here: the expected signature is what `@smithy/signature-v4` (the
 * signer the JS SDK itself uses) computes over a request rebuilt from exactly what the client says
 * it signed (SignedHeaders with the values it sent, the path as it went on the wire, the query),
 * compared in constant time. The checks come in the order that reads the least: the header's form,
 * no session token, the date within 5 minutes, a known access key, and only then the body.
 *
 * Refusals are AWS's: an unknown key is UnrecognizedClientException, a wrong or expired signature
 * InvalidSignatureException, both 403; no message ever carries an expected signature or a secret.
 */
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SigV4Credential } from '../config/credentials.ts';
import type { Caller } from '../core/caller.ts';
import { BedrockError } from '../core/errors.ts';

/** What the client signed, as the edge saw it. */
export interface SignedRequest {
  readonly method: string;
  /**
   * The path exactly as it went on the wire (percent-encoded), base path or stage included. An edge
   * that cannot know which form the client used (API Gateway REST) gives several; any may match.
   */
  readonly paths: readonly string[];
  /** Decoded query parameters, every value kept. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** Lower-cased names; a repeated header's values joined by ','. HTTP/2 carries `:authority` instead of `host`. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export type CredentialLookup = (accessKeyId: string) => Promise<SigV4Credential | undefined>;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 'bedrock';
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** AWS's own wording, so SDK users recognise it. */
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';

const invalidSignature = (message: string) => new BedrockError('InvalidSignatureException', message);
const unrecognized = (message = 'The security token included in the request is invalid.') => new BedrockError('UnrecognizedClientException', message);

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=a;b, Signature=hex` */
function parseAuthorization(value: string): ParsedAuthorization | string {
  const trimmed = value.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) return `the Authorization header must use ${ALGORITHM}`;
  const params = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length + 1).split(',')) {
    const at = part.indexOf('=');
    const name = part.slice(0, at).trim();
    if (at < 0 || params.has(name)) return 'the Authorization header must carry Credential, SignedHeaders and Signature once each';
    params.set(name, part.slice(at + 1).trim());
  }
  const credential = params.get('Credential');
  const signedHeaders = params.get('SignedHeaders');
  const signature = params.get('Signature');
  if (!credential || !signedHeaders || !signature || params.size !== 3) return 'the Authorization header must carry exactly Credential, SignedHeaders and Signature';
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') return 'Credential must be <access key id>/<date>/<region>/<service>/aws4_request';
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  if (!/^[A-Za-z0-9]{1,128}$/.test(accessKeyId) || !/^\d{8}$/.test(date) || !/^[a-z0-9-]{1,64}$/.test(region) || !/^[a-z0-9-]{1,64}$/.test(service)) {
    return 'the credential scope is malformed';
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) return 'Signature must be 64 lower-case hex digits';
  const names = signedHeaders.split(';');
  for (const [i, name] of names.entries()) {
    // `:authority` is what the JS SDK signs on HTTP/2 (it sends no host header there).
    if (!/^:?[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(name) || (i > 0 && !(names[i - 1]! < name))) return 'SignedHeaders must be lower-case, sorted and without duplicates';
  }
  return { accessKeyId, date, region, service, signedHeaders: names, signature };
}

/** `20150830T123600Z` -> Date, or undefined (rollovers such as the 31st of February included). */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? date : undefined;
}

const amzDateOf = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

async function sha256Hex(body: Uint8Array): Promise<string> {
  if (body.byteLength === 0) return EMPTY_SHA256;
  const hasher = new Sha256();
  hasher.update(body);
  return Buffer.from(await hasher.digest()).toString('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}

interface Rebuilt {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** The signature smithy computes for the rebuilt request with this credential. */
async function expectedSignature(request: Rebuilt, auth: ParsedAuthorization, secretAccessKey: string, signingDate: Date): Promise<string> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    uriEscapePath: true, // non-S3 services: the path is normalised and encoded once more
    applyChecksum: false, // never add an x-amz-content-sha256 the client did not sign
  });
  const host = request.headers['host'] ?? request.headers[':authority'] ?? '';
  const signed = await signer.sign(new HttpRequest({ ...request, protocol: 'https:', hostname: host }), {
    signingDate,
    signingRegion: auth.region,
    signingService: auth.service,
    // Sign exactly the client's list, even headers smithy leaves out by itself (user-agent, expect...).
    signableHeaders: new Set(auth.signedHeaders),
  });
  const match = /SignedHeaders=([^,]*), Signature=([0-9a-f]{64})$/.exec(String(signed.headers['authorization']));
  // The rebuilt request must have signed exactly what the client listed; anything else cannot match.
  return match && match[1] === auth.signedHeaders.join(';') ? match[2]! : '';
}

function plainQuery(query: SignedRequest['query']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(query)) out[name] = typeof value === 'string' ? value : [...value];
  return out;
}

export interface SigV4Options {
  readonly now?: () => number;
  /** The credential scope's service; `bedrock` (AWS's published test suite signs for `service`). */
  readonly service?: string;
}

export interface SigV4Verifier {
  /** The caller that signed `request`, reading its body only once the key is known; throws the AWS refusal otherwise. */
  verify(request: SignedRequest, body: () => Promise<Uint8Array>): Promise<Caller>;
}

export function createSigV4Verifier(lookup: CredentialLookup, options: SigV4Options = {}): SigV4Verifier {
  const now = options.now ?? Date.now;
  const service = options.service ?? SERVICE;
  return {
    async verify(request, readBody) {
      const headers = request.headers;
      const auth = parseAuthorization(headers['authorization'] ?? '');
      if (typeof auth === 'string') throw invalidSignature(`The request signature is malformed: ${auth}.`);
      if (headers['x-amz-security-token'] !== undefined) {
        throw unrecognized(
          'The security token included in the request is invalid: this gateway issues long-term access keys, which have no session token. Sign with the access key and secret it issued, without a session token.',
        );
      }
      if (auth.service !== service) throw invalidSignature(`Credential should be scoped to correct service: '${service}'.`);
      if (Object.keys(request.query).some((name) => name.toLowerCase() === 'x-amz-signature')) {
        throw invalidSignature('Presigned URLs are not supported: sign the Authorization header.');
      }

      const signed = new Set(auth.signedHeaders);
      if ((!signed.has('host') && !signed.has(':authority')) || !signed.has('x-amz-date') || signed.has('date') || signed.has('authorization')) {
        throw invalidSignature('The request signature is malformed: SignedHeaders must include host and x-amz-date (and not date or authorization).');
      }
      const amzDate = headers['x-amz-date']?.trim() ?? '';
      const signingDate = parseAmzDate(amzDate);
      if (!signingDate || amzDate.slice(0, 8) !== auth.date) throw invalidSignature('The request signature is malformed: X-Amz-Date is missing, malformed or outside the credential scope date.');
      const current = now();
      if (Math.abs(current - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
        const earliest = amzDateOf(new Date(current - MAX_CLOCK_SKEW_MS));
        const latest = amzDateOf(new Date(current + MAX_CLOCK_SKEW_MS));
        throw invalidSignature(`Signature expired: ${amzDate} is not between ${earliest} and ${latest} (the gateway's clock, plus or minus 5 min.).`);
      }

      const credential = await lookup(auth.accessKeyId);
      if (credential === undefined) throw unrecognized();

      const body = await readBody();
      const values: Record<string, string> = {};
      for (const name of auth.signedHeaders) {
        // HTTP/1.1 carries `host`, HTTP/2 `:authority`; a front door may turn one into the other or drop content-length.
        const value = headers[name] ?? (name === 'host' ? headers[':authority'] : name === ':authority' ? headers['host'] : name === 'content-length' ? String(body.byteLength) : undefined);
        if (value === undefined) throw invalidSignature(`The request signature is malformed: the signed header ${name} is missing.`);
        values[name] = value;
      }
      // Given a signed x-amz-content-sha256, the signer trusts it instead of hashing the body: it must be the body's hash.
      const declared = values['x-amz-content-sha256']?.trim();
      if (declared !== undefined && (declared.startsWith('UNSIGNED-') || declared.startsWith('STREAMING-') || declared !== (await sha256Hex(body)))) {
        throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
      }

      const query = plainQuery(request.query);
      // SigV4 normalises '.', '..' and '//' before signing; the router does not, so such a path could aim a signature elsewhere.
      const paths = request.paths.filter((path) => path.startsWith('/') && !/\/\/|\/\.\.?(\/|$)/.test(path));
      if (paths.length === 0) throw invalidSignature("The request path has '.', '..' or empty segments, which this gateway does not accept on a signed request.");
      let matched = false;
      // Every candidate path is computed (no early exit), so timing does not tell which one matched.
      for (const path of paths) {
        const expected = await expectedSignature({ method: request.method.toUpperCase(), path, query, headers: values, body }, auth, credential.secretAccessKey, signingDate);
        matched = (expected.length > 0 && sameHex(expected, auth.signature)) || matched;
      }
      if (!matched) throw invalidSignature(SIGNATURE_MISMATCH);
      return { name: credential.name, method: 'sigv4', ...(credential.models && { allowedModels: credential.models }) };
    },
  };
}
