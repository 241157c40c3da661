/**
 * CORS in a real browser: headless Chromium (Debian's) loads a page from one loopback origin and
 * calls the local server on another with fetch(), as a web app would. From the allowed origin it
 * reads a 200 JSON answer, a streamed answer and an error (with the headers the SDKs read); from
 * another origin the browser refuses to hand over anything. Skipped with one line where Chromium
 * is missing; CI installs it (.ci/run).
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../app/config/config.ts';
import { startFakeUpstream, type FakeUpstream } from '../../app/dev/fakeUpstream.ts';
import { runLocalGateway, type RunningGateway } from '../../app/local/main.ts';
import { CHROMIUM, CHROMIUM_TOOL, requireTool } from '../helpers/externalTools.ts';

const KEY = 'browser-test-key';

/** A page server on its own loopback port: its origin is what the browser sends as Origin. */
async function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>bedrock gateway caller</title><p>caller page</p>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

interface FetchOutcome {
  readonly status?: number;
  readonly requestId?: string | null;
  readonly errorType?: string | null;
  readonly contentType?: string | null;
  readonly bytes?: number;
  readonly text?: string;
  readonly failure?: string;
}

/** fetch() inside the page, reading the body to the end (a stream chunk by chunk) and the headers a script may read. */
function fetchFromPage(page: Page, url: string, authorization: string, body: string): Promise<FetchOutcome> {
  return page.evaluate(
    async ({ url, authorization, body }) => {
      try {
        const response = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
        const reader = response.body!.getReader();
        const parts: Uint8Array[] = [];
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parts.push(value);
        }
        const bytes = parts.reduce((sum, part) => sum + part.byteLength, 0);
        const text = new TextDecoder().decode(parts.length === 1 ? parts[0] : new Uint8Array(parts.flatMap((part) => [...part])));
        return {
          status: response.status,
          requestId: response.headers.get('x-amzn-RequestId'),
          errorType: response.headers.get('x-amzn-ErrorType'),
          contentType: response.headers.get('content-type'),
          bytes,
          text: response.headers.get('content-type') === 'application/json' ? text : '',
        };
      } catch (error) {
        return { failure: String(error) };
      }
    },
    { url, authorization, body },
  );
}

describe('CORS in headless Chromium: a page on one origin calls the gateway on another', function () {
  this.timeout(60_000);
  requireTool(CHROMIUM_TOOL);

  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let allowedPage: Awaited<ReturnType<typeof startPageServer>>;
  let otherPage: Awaited<ReturnType<typeof startPageServer>>;
  let browser: Browser;
  const converse = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello from the browser' }] }] });

  before(async () => {
    upstream = await startFakeUpstream();
    allowedPage = await startPageServer();
    otherPage = await startPageServer();
    gateway = await runLocalGateway(
      loadConfig({ OPENAI_BASE_URL: upstream.baseURL, OPENAI_API_KEY: 'sk-fake', PROXY_API_KEYS: KEY, PORT: '0', LOG_LEVEL: 'SILENT', CORS_ALLOWED_ORIGINS: allowedPage.origin }),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // A fresh profile per launch (playwright's own temporary user-data-dir); nothing leaves the machine.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await gateway?.close();
    await allowedPage?.close();
    await otherPage?.close();
    await upstream?.close();
  });

  async function pageAt(origin: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return page;
  }

  it('reads a 200 JSON answer and its request id from the allowed origin', async () => {
    // Prepare
    const page = await pageAt(allowedPage.origin);
    // Act
    const outcome = await fetchFromPage(page, `${gateway.server.url}/model/gpt-4o-mini/converse`, `Bearer ${KEY}`, converse);
    // Assess
    expect(outcome.failure).to.equal(undefined);
    expect(outcome.status).to.equal(200);
    expect(outcome.requestId).to.be.a('string').and.not.equal('');
    expect(JSON.parse(outcome.text!).output.message.content[0].text).to.equal('Echo: hello from the browser');
  });

  it('reads a streamed answer to its end from the allowed origin', async () => {
    // Prepare
    const page = await pageAt(allowedPage.origin);
    // Act
    const outcome = await fetchFromPage(page, `${gateway.server.url}/model/gpt-4o-mini/converse-stream`, `Bearer ${KEY}`, converse);
    // Assess
    expect(outcome.failure).to.equal(undefined);
    expect(outcome.status).to.equal(200);
    expect(outcome.contentType).to.equal('application/vnd.amazon.eventstream');
    expect(outcome.bytes).to.be.greaterThan(500);
  });

  it('reads an error with its x-amzn-ErrorType from the allowed origin', async () => {
    // Prepare
    const page = await pageAt(allowedPage.origin);
    // Act
    const outcome = await fetchFromPage(page, `${gateway.server.url}/model/gpt-4o-mini/converse`, 'Bearer not-the-key', converse);
    // Assess
    expect(outcome.failure).to.equal(undefined);
    expect(outcome.status).to.equal(403);
    expect(outcome.errorType).to.equal('AccessDeniedException');
    expect(JSON.parse(outcome.text!).message).to.be.a('string');
  });

  it('gets nothing from another origin: the browser refuses the answer, the stream and the error', async () => {
    // Prepare
    const page = await pageAt(otherPage.origin);
    // Act
    const outcomes = [
      await fetchFromPage(page, `${gateway.server.url}/model/gpt-4o-mini/converse`, `Bearer ${KEY}`, converse),
      await fetchFromPage(page, `${gateway.server.url}/model/gpt-4o-mini/converse-stream`, `Bearer ${KEY}`, converse),
      await fetchFromPage(page, `${gateway.server.url}/model/gpt-4o-mini/converse`, 'Bearer not-the-key', converse),
    ];
    // Assess
    for (const outcome of outcomes) {
      expect(outcome.status).to.equal(undefined);
      expect(outcome.failure).to.match(/TypeError: Failed to fetch/);
    }
  });
});
