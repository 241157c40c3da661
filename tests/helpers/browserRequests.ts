/**
 * Requests exactly as a browser sends them across origins (Chromium's headers for fetch() from a
 * page on `origin`), over plain node:http so nothing adds or drops a header on the way.
 */
import http from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

function rawRequest(url: string, method: string, headers: http.OutgoingHttpHeaders, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Chromium's preflight for a fetch() with an Authorization header and a JSON body. */
export function browserPreflight(url: string, origin: string, method = 'POST'): Promise<RawResponse> {
  return rawRequest(url, 'OPTIONS', {
    accept: '*/*',
    'access-control-request-method': method,
    'access-control-request-headers': 'authorization,content-type',
    origin,
    'sec-fetch-mode': 'cors',
    'sec-fetch-site': 'same-site',
    'sec-fetch-dest': 'empty',
    referer: `${origin}/`,
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
    'accept-encoding': 'gzip, deflate, br, zstd',
    'accept-language': 'en-US,en;q=0.9',
  });
}

/** The actual cross-origin fetch() that follows a successful preflight. */
export function browserFetch(url: string, origin: string, init: { method: string; authorization?: string; body?: string }): Promise<RawResponse> {
  return rawRequest(
    url,
    init.method,
    {
      accept: '*/*',
      ...(init.authorization && { authorization: init.authorization }),
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      origin,
      'sec-fetch-mode': 'cors',
      'sec-fetch-site': 'same-site',
      'sec-fetch-dest': 'empty',
      referer: `${origin}/`,
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
    },
    init.body,
  );
}

/** Every Access-Control-* header of a response (what a browser's CORS check reads). */
export function corsHeaders(response: RawResponse): Record<string, string> {
  return Object.fromEntries(Object.entries(response.headers).filter(([name]) => name.startsWith('access-control-')).map(([name, value]) => [name, String(value)]));
}
