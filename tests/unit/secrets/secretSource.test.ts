import { expect } from 'chai';
import {
  managedSecret,
  parseUpstreamKeySecret,
  staticSecret,
  type SecretFetcher,
} from '../../../app/secrets/secretSource.ts';
import { rejectedBedrockError, thrownBedrockError } from '../../helpers/bedrockErrors.ts';

interface FetchCall {
  secretId: string;
  maxAge: number;
  forceFetch: boolean;
}

function recordingFetcher(answer: () => Promise<string | undefined>): { calls: FetchCall[]; fetcher: SecretFetcher } {
  const calls: FetchCall[] = [];
  return {
    calls,
    fetcher: async (secretId, options) => {
      calls.push({ secretId, ...options });
      return answer();
    },
  };
}

describe('staticSecret', () => {
  it('returns the value from get and refresh', async () => {
    // Prepare
    const secret = staticSecret('sk-local');
    // Act
    const values = [await secret.get(), await secret.refresh(), await secret.get()];
    // Assess
    expect(values).to.deep.equal(['sk-local', 'sk-local', 'sk-local']);
  });
});

describe('managedSecret', () => {
  it('get() asks the fetcher with the maxAge and forceFetch false', async () => {
    // Prepare
    const { calls, fetcher } = recordingFetcher(async () => 'sk-from-secrets-manager');
    const secret = managedSecret('openai-key', 300, fetcher);
    // Act
    const value = await secret.get();
    // Assess
    expect(value).to.equal('sk-from-secrets-manager');
    expect(calls).to.deep.equal([{ secretId: 'openai-key', maxAge: 300, forceFetch: false }]);
  });

  it('refresh() asks the fetcher with forceFetch true', async () => {
    // Prepare
    const { calls, fetcher } = recordingFetcher(async () => 'sk-rotated');
    const secret = managedSecret('arn:aws:secretsmanager:us-east-1:1:secret:k', 60, fetcher);
    // Act
    const value = await secret.refresh();
    // Assess
    expect(value).to.equal('sk-rotated');
    expect(calls).to.deep.equal([{ secretId: 'arn:aws:secretsmanager:us-east-1:1:secret:k', maxAge: 60, forceFetch: true }]);
  });

  it('does not fetch before first use', () => {
    // Prepare
    const { calls, fetcher } = recordingFetcher(async () => 'x');
    // Act
    managedSecret('lazy', 300, fetcher);
    // Assess
    expect(calls).to.deep.equal([]);
  });

  it('hides the SDK error behind an InternalServerException', async () => {
    // Prepare
    const sdkMessage =
      'User: arn:aws:sts::123456789012:assumed-role/gw-role/fn is not authorized to perform: secretsmanager:GetSecretValue on resource: openai-key';
    const { fetcher } = recordingFetcher(async () => {
      throw Object.assign(new Error(sdkMessage), { name: 'AccessDeniedException' });
    });
    const secret = managedSecret('openai-key', 300, fetcher);
    // Act
    const error = await rejectedBedrockError(secret.get());
    // Assess
    expect(error.exception).to.equal('InternalServerException');
    expect(error.status).to.equal(500);
    expect(error.message).to.not.include('arn:aws');
    expect(error.message).to.not.include('gw-role');
    expect(error.message).to.not.include('openai-key');
  });

  for (const [label, value] of [
    ['undefined', undefined],
    ['an empty string', ''],
  ] as const) {
    it(`rejects ${label} as an empty secret`, async () => {
      // Prepare
      const { fetcher } = recordingFetcher(async () => value);
      const secret = managedSecret('openai-key', 300, fetcher);
      // Act
      const error = await rejectedBedrockError(secret.refresh());
      // Assess
      expect(error.exception).to.equal('InternalServerException');
      expect(error.message).to.include('empty');
    });
  }
});

describe('parseUpstreamKeySecret', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['a raw key', 'sk-raw-123', 'sk-raw-123'],
    ['a raw key with whitespace and a newline', '  sk-raw-123\n', 'sk-raw-123'],
    ['{"apiKey"}', '{"apiKey":"sk-json-456"}', 'sk-json-456'],
    ['{"OPENAI_API_KEY"}', '{"OPENAI_API_KEY":"sk-env-789"}', 'sk-env-789'],
    ['{"apiKey"} with other fields', ' {"apiKey":"sk-json-456","org":"o"} ', 'sk-json-456'],
  ];
  for (const [label, value, expected] of cases) {
    it(`reads ${label}`, () => {
      // Act
      const key = parseUpstreamKeySecret(value);
      // Assess
      expect(key).to.equal(expected);
    });
  }

  const bad: readonly (readonly [string, string])[] = [
    ['bad JSON', '{"apiKey": sk-unquoted}'],
    ['JSON without a key', '{"other":"x"}'],
    ['an empty apiKey', '{"apiKey":""}'],
    ['a non-string apiKey', '{"apiKey":123}'],
  ];
  for (const [label, value] of bad) {
    it(`rejects ${label} with an InternalServerException that does not echo the secret`, () => {
      // Act
      const error = thrownBedrockError(() => parseUpstreamKeySecret(value));
      // Assess
      expect(error.exception).to.equal('InternalServerException');
      expect(error.message).to.not.include('sk-unquoted');
    });
  }
});
