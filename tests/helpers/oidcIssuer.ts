/**
 * A loopback OIDC issuer for tests: a discovery document, a JWKS, and tokens signed in the test
 * with keys made in the test. It can rotate its key, stall or fail its endpoints, and counts the
 * fetches it served.
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

type IssuerMode = 'ok' | 'fail' | 'stall';

export interface OidcIssuer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly fetches: { discovery: number; jwks: number };
  /** A signed token with `iss`, `iat` and `exp` (+10 min) set unless `claims` overrides them. */
  sign(claims?: JWTPayload, options?: { readonly kid?: string; readonly key?: 'current' | 'stale' }): Promise<string>;
  /** The current public key as SPKI PEM (what an HS256 forgery would use as its secret). */
  publicKeyPem(): Promise<string>;
  /** A new signing key with a new kid; the JWKS serves only the new one. The old one stays usable for `key: 'stale'`. */
  rotate(): Promise<void>;
  setMode(mode: IssuerMode): void;
  close(): Promise<void>;
}

async function newKey(n: number): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `test-key-${n}`;
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startOidcIssuer(): Promise<OidcIssuer> {
  let generation = 1;
  let current = await newKey(generation);
  let stale: SigningKey | undefined;
  let mode: IssuerMode = 'ok';
  const fetches = { discovery: 0, jwks: 0 };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/.well-known/openid-configuration') fetches.discovery++;
    if (path === '/jwks.json') fetches.jwks++;
    if (mode === 'stall') return; // never answers: the verifier's timeout must end the wait
    if (mode === 'fail') {
      res.writeHead(503).end('down');
      return;
    }
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') return send({ issuer, jwks_uri: `${issuer}/jwks.json` });
    if (path === '/jwks.json') return send({ keys: [current.jwk] });
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    jwksUrl: `${issuer}/jwks.json`,
    fetches,
    async sign(claims = {}, options = {}) {
      const key = options.key === 'stale' && stale ? stale : current;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, iat: now, exp: now + 600, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
        .sign(key.privateKey);
    },
    publicKeyPem: () => exportSPKI(current.publicKey),
    async rotate() {
      stale = current;
      current = await newKey(++generation);
    },
    setMode(next) {
      mode = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A token whose header says `alg: none` and which carries no signature. */
export function unsignedToken(payload: JWTPayload): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}
