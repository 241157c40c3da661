/**
 * End to end with boto3 (Python), the other stock Bedrock client: bearer auth from
 * AWS_BEARER_TOKEN_BEDROCK, HTTP/1.1, botocore's own event-stream parser and error mapping.
 * Needs boto3 1.39+ (skipped with a line saying so without it; CI requires it).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { BOTO3_TOOL, PYTHON, requireTool } from '../helpers/externalTools.ts';
import { TEST_KEY } from '../helpers/gateway.ts';
import { startHarness, type Harness } from './harness.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./boto3_client.py', import.meta.url));

describe('E2E: boto3 against the local server', function () {
  this.timeout(60_000);
  requireTool(BOTO3_TOOL);
  let harness: Harness;
  let result: any;

  before(async () => {
    harness = await startHarness();
    const { stdout } = await run(PYTHON, [SCRIPT], {
      env: { ...process.env, GATEWAY_URL: harness.url, AWS_BEARER_TOKEN_BEDROCK: TEST_KEY, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    });
    result = JSON.parse(stdout);
  });
  after(async () => harness?.close());

  it('converse returns the text, stop reason and usage', () => {
    expect(result.converse.text).to.equal('Echo: hello from boto3');
    expect(result.converse.stopReason).to.equal('end_turn');
    expect(result.converse.usage.inputTokens).to.be.greaterThan(0);
  });

  it('converse_stream yields Bedrock events in order', () => {
    expect(result.converse_stream.events[0]).to.equal('messageStart');
    expect(result.converse_stream.events.slice(-3)).to.deep.equal(['contentBlockStop', 'messageStop', 'metadata']);
    expect(result.converse_stream.text).to.equal('Echo: stream from boto3');
  });

  it('converse_stream assembles a tool call', () => {
    expect(result.tool_stream).to.deep.equal({ names: ['get_weather'], input: { query: 'Oslo' }, stopReason: 'tool_use' });
  });

  it('an upstream cut surfaces as an EventStreamError with modelStreamErrorException', () => {
    expect(result.cut).to.equal('modelStreamErrorException');
  });

  it('invoke_model serves an Anthropic Messages body', () => {
    expect(result.invoke).to.deep.equal({ type: 'message', text: 'Echo: hi' });
  });

  it('list_foundation_models parses', () => {
    expect(result.models).to.include.members(['anthropic.claude-3-5-sonnet-20240620-v1:0', 'gpt-4o-mini']);
  });

  it('a wrong key raises AccessDeniedException', () => {
    expect(result.wrong_key).to.equal('AccessDeniedException');
    expect(result.wrong_key_class).to.equal('AccessDeniedException');
  });
});
