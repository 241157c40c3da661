import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConfigError, DEFAULT_MAX_BODY_BYTES, loadConfig, type Config } from '../../../app/config/config.ts';
import { nameFromKeyHash } from '../../../app/config/credentials.ts';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig: defaults', () => {
  it('fills every field from an empty environment', () => {
    // Act
    const config = loadConfig({});
    // Assess
    expect(config).to.deep.equal({
      port: 3000,
      host: '127.0.0.1',
      openaiBaseUrl: 'https://api.openai.com/v1',
      openaiApiKey: undefined,
      openaiApiKeySecretId: undefined,
      proxyApiKeys: [],
      proxyApiKeysSecretId: undefined,
      modelMap: {},
      openaiTimeoutMs: 600_000,
      openaiMaxRetries: 2,
      openaiMaxConnections: 64,
      logLevel: 'INFO',
      maxBodyBytes: 6_000_000,
      secretsMaxAgeSeconds: 300,
      modelsCacheSeconds: 300,
      serviceName: 'bedrock-gateway',
      metricsNamespace: 'BedrockGateway',
      localMetrics: false,
      loggerSampleRate: 0,
      tracing: false,
      region: 'us-east-1',
      jwt: undefined,
      sigv4Credentials: undefined,
      sigv4CredentialsSecretId: undefined,
      callerMetrics: { enabled: true, limit: 100 },
      allowedOrigins: [],
      functionVersion: undefined,
      functionTimeoutSeconds: undefined,
    } satisfies Config);
  });

  it('returns a frozen config with frozen lists and maps', () => {
    // Act
    const config = loadConfig({ PROXY_API_KEYS: 'a', MODEL_MAP: '{"x":"y"}' });
    // Assess
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.proxyApiKeys)).to.equal(true);
    expect(Object.isFrozen(config.modelMap)).to.equal(true);
  });

  it('reads process.env when no environment is passed', () => {
    // Prepare
    const saved = process.env.OPENAI_MAX_CONNECTIONS;
    process.env.OPENAI_MAX_CONNECTIONS = '7';
    // Act
    let config: Config;
    try {
      config = loadConfig();
    } finally {
      if (saved === undefined) delete process.env.OPENAI_MAX_CONNECTIONS;
      else process.env.OPENAI_MAX_CONNECTIONS = saved;
    }
    // Assess
    expect(config.openaiMaxConnections).to.equal(7);
  });
});

describe('loadConfig: every variable', () => {
  const cases: readonly (readonly [string, NodeJS.ProcessEnv, Partial<Config>])[] = [
    ['PORT', { PORT: '8080' }, { port: 8080 }],
    ['HOST', { HOST: '0.0.0.0' }, { host: '0.0.0.0' }],
    ['OPENAI_BASE_URL', { OPENAI_BASE_URL: 'http://localhost:11434/v1' }, { openaiBaseUrl: 'http://localhost:11434/v1' }],
    ['OPENAI_BASE_URL without trailing slashes', { OPENAI_BASE_URL: 'https://proxy.example.com/openai/v1//' }, { openaiBaseUrl: 'https://proxy.example.com/openai/v1' }],
    ['OPENAI_API_KEY', { OPENAI_API_KEY: 'sk-local' }, { openaiApiKey: 'sk-local' }],
    ['OPENAI_API_KEY_SECRET_ID', { OPENAI_API_KEY_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:1:secret:k' }, { openaiApiKeySecretId: 'arn:aws:secretsmanager:us-east-1:1:secret:k' }],
    ['PROXY_API_KEYS', { PROXY_API_KEYS: 'alice=k1,k2' }, { proxyApiKeys: [{ name: 'alice', key: 'k1' }, { name: nameFromKeyHash('k2'), key: 'k2' }] }],
    ['PROXY_API_KEYS_SECRET_ID', { PROXY_API_KEYS_SECRET_ID: 'callers' }, { proxyApiKeysSecretId: 'callers' }],
    [
      'MODEL_MAP',
      { MODEL_MAP: '{"anthropic.claude-3-5-sonnet-20240620-v1:0":"gpt-4o","amazon.nova-lite-v1:0":"gpt-4o-mini"}' },
      { modelMap: { 'anthropic.claude-3-5-sonnet-20240620-v1:0': 'gpt-4o', 'amazon.nova-lite-v1:0': 'gpt-4o-mini' } },
    ],
    ['OPENAI_TIMEOUT_MS', { OPENAI_TIMEOUT_MS: '30000' }, { openaiTimeoutMs: 30_000 }],
    ['OPENAI_MAX_RETRIES', { OPENAI_MAX_RETRIES: '0' }, { openaiMaxRetries: 0 }],
    ['OPENAI_MAX_CONNECTIONS', { OPENAI_MAX_CONNECTIONS: '16' }, { openaiMaxConnections: 16 }],
    ['LOG_LEVEL (upper-cased)', { LOG_LEVEL: 'debug' }, { logLevel: 'DEBUG' }],
    ['LOG_LEVEL SILENT', { LOG_LEVEL: 'SILENT' }, { logLevel: 'SILENT' }],
    ['LOG_LEVEL in mixed case', { LOG_LEVEL: 'Warn' }, { logLevel: 'WARN' }],
    ['MAX_BODY_BYTES', { MAX_BODY_BYTES: '1048576' }, { maxBodyBytes: 1_048_576 }],
    ['SECRETS_MAX_AGE_SECONDS', { SECRETS_MAX_AGE_SECONDS: '60' }, { secretsMaxAgeSeconds: 60 }],
    ['MODELS_CACHE_SECONDS', { MODELS_CACHE_SECONDS: '0' }, { modelsCacheSeconds: 0 }],
    ['POWERTOOLS_SERVICE_NAME', { POWERTOOLS_SERVICE_NAME: 'gw-prod' }, { serviceName: 'gw-prod' }],
    ['POWERTOOLS_METRICS_NAMESPACE', { POWERTOOLS_METRICS_NAMESPACE: 'Gateways' }, { metricsNamespace: 'Gateways' }],
    ['POWERTOOLS_METRICS_DISABLED=false (metrics on the local server)', { POWERTOOLS_METRICS_DISABLED: 'false' }, { localMetrics: true }],
    ['POWERTOOLS_METRICS_DISABLED=true', { POWERTOOLS_METRICS_DISABLED: 'true' }, { localMetrics: false }],
    ['POWERTOOLS_LOGGER_SAMPLE_RATE', { POWERTOOLS_LOGGER_SAMPLE_RATE: '0.25' }, { loggerSampleRate: 0.25 }],
    ['AWS_REGION', { AWS_REGION: 'eu-west-3' }, { region: 'eu-west-3' }],
  ];
  for (const [label, env, expected] of cases) {
    it(`parses ${label}`, () => {
      // Act
      const config = loadConfig(env);
      // Assess
      expect(config).to.deep.include(expected);
    });
  }
});

describe('loadConfig: PROXY_API_KEYS csv', () => {
  const cases: readonly (readonly [string, string, readonly string[]])[] = [
    ['one key', 'only', ['only']],
    ['spaces around keys', ' k1 ,  k2,k3 ', ['k1', 'k2', 'k3']],
    ['empty entries', 'k1,,k2,', ['k1', 'k2']],
    ['only separators and spaces', ' , ,', []],
    ['an empty string', '', []],
  ];
  for (const [label, value, expected] of cases) {
    it(`splits ${label}`, () => {
      // Act
      const config = loadConfig({ PROXY_API_KEYS: value });
      // Assess
      expect(config.proxyApiKeys.map((entry) => entry.key)).to.deep.equal(expected);
    });
  }
});

describe('loadConfig: caller credentials', () => {
  const JWT = { JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc', JWT_AUDIENCE: 'client-a, client-b' };

  it('reads the JWT settings with their defaults', () => {
    // Act
    const { jwt } = loadConfig(JWT);
    // Assess
    expect(jwt).to.deep.equal({
      issuer: JWT.JWT_ISSUER,
      audiences: ['client-a', 'client-b'],
      jwksUrl: undefined,
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'],
      requiredScopes: [],
      callerClaim: 'sub',
      modelsClaim: undefined,
      clockSkewSeconds: 60,
    });
  });

  it('reads every JWT variable', () => {
    // Act
    const { jwt } = loadConfig({
      ...JWT,
      JWT_JWKS_URL: 'https://issuer.example/keys.json',
      JWT_ALGORITHMS: 'ES256',
      JWT_REQUIRED_SCOPES: 'gateway/invoke gateway/list,extra',
      JWT_CALLER_CLAIM: 'client_id',
      JWT_MODELS_CLAIM: 'models',
      JWT_CLOCK_SKEW_SECONDS: '5',
    });
    // Assess
    expect(jwt).to.deep.include({
      jwksUrl: 'https://issuer.example/keys.json',
      algorithms: ['ES256'],
      requiredScopes: ['gateway/invoke', 'gateway/list', 'extra'],
      callerClaim: 'client_id',
      modelsClaim: 'models',
      clockSkewSeconds: 5,
    });
  });

  it('reads SIGV4_CREDENTIALS into a map by access key id, named by the key id when unnamed', () => {
    // Act
    const { sigv4Credentials } = loadConfig({
      SIGV4_CREDENTIALS: JSON.stringify({ AKIAGATEWAY0001: { secretAccessKey: 's'.repeat(40), name: 'batch-job', models: ['gpt-4o-mini'] }, AKIAGATEWAY0002: { secretAccessKey: 't'.repeat(40) } }),
    });
    // Assess
    expect([...sigv4Credentials!.values()]).to.deep.equal([
      { accessKeyId: 'AKIAGATEWAY0001', secretAccessKey: 's'.repeat(40), name: 'batch-job', models: ['gpt-4o-mini'] },
      { accessKeyId: 'AKIAGATEWAY0002', secretAccessKey: 't'.repeat(40), name: 'AKIAGATEWAY0002' },
    ]);
  });

  it('reads the caller metrics switch and cap', () => {
    // Act
    const { callerMetrics } = loadConfig({ METRICS_CALLER_DIMENSION: 'false', METRICS_CALLER_LIMIT: '7' });
    // Assess
    expect(callerMetrics).to.deep.equal({ enabled: false, limit: 7 });
  });

  const refusals: readonly (readonly [string, NodeJS.ProcessEnv, string, string])[] = [
    ['JWT_ISSUER without JWT_AUDIENCE', { JWT_ISSUER: JWT.JWT_ISSUER }, 'JWT_AUDIENCE', 'required'],
    ['an HMAC algorithm', { ...JWT, JWT_ALGORITHMS: 'RS256,HS256' }, 'JWT_ALGORITHMS', 'HS256'],
    ['alg none', { ...JWT, JWT_ALGORITHMS: 'none' }, 'JWT_ALGORITHMS', 'none'],
    ['a JWT_ISSUER that is not a URL', { ...JWT, JWT_ISSUER: 'cognito' }, 'JWT_ISSUER', ''],
    ['a clock skew over 10 minutes', { ...JWT, JWT_CLOCK_SKEW_SECONDS: '601' }, 'JWT_CLOCK_SKEW_SECONDS', ''],
    ['SIGV4_CREDENTIALS that is not JSON', { SIGV4_CREDENTIALS: 'AKIA:secret-not-json-xxxx' }, 'SIGV4_CREDENTIALS', 'not valid JSON'],
    ['a SigV4 secret that is too short', { SIGV4_CREDENTIALS: '{"AKIAGATEWAY0001":{"secretAccessKey":"short-SECRET"}}' }, 'SIGV4_CREDENTIALS', 'at least 16'],
    ['METRICS_CALLER_LIMIT of zero', { METRICS_CALLER_LIMIT: '0' }, 'METRICS_CALLER_LIMIT', ''],
  ];
  for (const [label, env, variable, fragment] of refusals) {
    it(`refuses ${label}, naming ${variable} and never quoting a secret`, () => {
      // Act
      const error = configError(env);
      // Assess
      expect(error.message).to.include(variable);
      expect(error.message).to.include(fragment);
      expect(error.message).to.not.include('SECRET');
    });
  }
});

describe('loadConfig: invalid values name the variable', () => {
  const cases: readonly (readonly [string, NodeJS.ProcessEnv, string])[] = [
    ['MODEL_MAP that is not JSON', { MODEL_MAP: '{gpt' }, 'MODEL_MAP'],
    ['MODEL_MAP that is an array', { MODEL_MAP: '["gpt-4o"]' }, 'MODEL_MAP'],
    ['MODEL_MAP with a number value', { MODEL_MAP: '{"a":1}' }, 'MODEL_MAP'],
    ['MODEL_MAP with an empty target', { MODEL_MAP: '{"a":""}' }, 'MODEL_MAP'],
    ['MODEL_MAP that is null', { MODEL_MAP: 'null' }, 'MODEL_MAP'],
    ['PORT that is not a number', { PORT: 'eighty' }, 'PORT'],
    ['PORT out of range', { PORT: '70000' }, 'PORT'],
    ['PORT that is fractional', { PORT: '80.5' }, 'PORT'],
    ['PORT that is negative', { PORT: '-1' }, 'PORT'],
    ['OPENAI_BASE_URL that is not a URL', { OPENAI_BASE_URL: 'not a url' }, 'OPENAI_BASE_URL'],
    ['OPENAI_BASE_URL without a scheme', { OPENAI_BASE_URL: 'api.openai.com/v1' }, 'OPENAI_BASE_URL'],
    ['OPENAI_TIMEOUT_MS of zero', { OPENAI_TIMEOUT_MS: '0' }, 'OPENAI_TIMEOUT_MS'],
    ['OPENAI_MAX_RETRIES above 10', { OPENAI_MAX_RETRIES: '11' }, 'OPENAI_MAX_RETRIES'],
    ['OPENAI_MAX_CONNECTIONS of zero', { OPENAI_MAX_CONNECTIONS: '0' }, 'OPENAI_MAX_CONNECTIONS'],
    ['LOG_LEVEL unknown', { LOG_LEVEL: 'VERBOSE' }, 'LOG_LEVEL'],
    ['POWERTOOLS_METRICS_DISABLED that is not a switch', { POWERTOOLS_METRICS_DISABLED: 'no' }, 'POWERTOOLS_METRICS_DISABLED'],
    ['POWERTOOLS_TRACE_ENABLED that is not a switch', { POWERTOOLS_TRACE_ENABLED: '1' }, 'POWERTOOLS_TRACE_ENABLED'],
    ['POWERTOOLS_LOGGER_SAMPLE_RATE above 1', { POWERTOOLS_LOGGER_SAMPLE_RATE: '2' }, 'POWERTOOLS_LOGGER_SAMPLE_RATE'],
    ['MAX_BODY_BYTES too small', { MAX_BODY_BYTES: '10' }, 'MAX_BODY_BYTES'],
    ['SECRETS_MAX_AGE_SECONDS of zero', { SECRETS_MAX_AGE_SECONDS: '0' }, 'SECRETS_MAX_AGE_SECONDS'],
    ['MODELS_CACHE_SECONDS negative', { MODELS_CACHE_SECONDS: '-5' }, 'MODELS_CACHE_SECONDS'],
  ];
  for (const [label, env, variable] of cases) {
    it(`rejects ${label}`, () => {
      // Act
      const error = configError(env);
      // Assess
      expect(error.message).to.include(variable);
    });
  }

  it('lists the accepted LOG_LEVEL values when it rejects one', () => {
    // Act
    const error = configError({ LOG_LEVEL: 'CRITICAL' });
    // Assess
    expect(error.message).to.include('LOG_LEVEL').and.include('DEBUG, INFO, WARN, ERROR, SILENT');
  });

  it('names every invalid variable at once', () => {
    // Act
    const error = configError({ PORT: 'x', MODEL_MAP: '[' });
    // Assess
    expect(error.message).to.include('PORT').and.include('MODEL_MAP');
  });
});

describe('loadConfig: empty variables mean "unset"', () => {
  // `PORT=` in a .env file or a blank template parameter must not become port 0, retries 0 or an
  // empty HOST (which would listen on every interface).
  const cases: readonly (readonly [string, Partial<Config>])[] = [
    ['PORT', { port: 3000 }],
    ['HOST', { host: '127.0.0.1' }],
    ['OPENAI_BASE_URL', { openaiBaseUrl: 'https://api.openai.com/v1' }],
    ['OPENAI_API_KEY', { openaiApiKey: undefined }],
    ['MODEL_MAP', { modelMap: {} }],
    ['OPENAI_TIMEOUT_MS', { openaiTimeoutMs: 600_000 }],
    ['OPENAI_MAX_RETRIES', { openaiMaxRetries: 2 }],
    ['LOG_LEVEL', { logLevel: 'INFO' }],
    ['MODELS_CACHE_SECONDS', { modelsCacheSeconds: 300 }],
  ];
  for (const [variable, expected] of cases) {
    it(`${variable}="" takes the default`, () => {
      // Act
      const config = loadConfig({ [variable]: '' });
      // Assess
      expect(config).to.deep.include(expected);
    });
  }
});

describe('loadConfig: X-Ray tracing (POWERTOOLS_TRACE_ENABLED, else on in a real Lambda)', () => {
  const cases: readonly (readonly [string, NodeJS.ProcessEnv, boolean])[] = [
    ['an empty environment', {}, false],
    ['a Lambda function', { AWS_LAMBDA_FUNCTION_NAME: 'gw' }, true],
    ['sam local', { AWS_LAMBDA_FUNCTION_NAME: 'gw', AWS_SAM_LOCAL: 'true' }, false],
    ['POWERTOOLS_TRACE_ENABLED=false in Lambda', { AWS_LAMBDA_FUNCTION_NAME: 'gw', POWERTOOLS_TRACE_ENABLED: 'false' }, false],
    ['POWERTOOLS_TRACE_ENABLED=TRUE outside Lambda', { POWERTOOLS_TRACE_ENABLED: 'TRUE' }, true],
  ];
  for (const [label, env, expected] of cases) {
    it(`is ${expected} for ${label}`, () => {
      // Act
      const { tracing } = loadConfig(env);
      // Assess
      expect(tracing).to.equal(expected);
    });
  }
});

describe('loadConfig: CORS_ALLOWED_ORIGINS', () => {
  const accepted: readonly (readonly [string, readonly string[]])[] = [
    ['', []],
    ['https://app.example.com', ['https://app.example.com']],
    [' https://App.Example.com , http://localhost:5173 ', ['https://app.example.com', 'http://localhost:5173']],
    ['https://app.example.com/', ['https://app.example.com']],
    ['*', ['*']],
  ];
  for (const [value, origins] of accepted) {
    it(`reads ${JSON.stringify(value)}`, () => {
      // Act
      const config = loadConfig({ CORS_ALLOWED_ORIGINS: value });
      // Assess
      expect(config.allowedOrigins).to.deep.equal(origins);
    });
  }

  for (const value of ['app.example.com', 'https://app.example.com/path', 'ftp://files.example.com', 'https://app.example.com:443']) {
    it(`refuses ${JSON.stringify(value)}, naming the variable`, () => {
      // Act
      const error = configError({ CORS_ALLOWED_ORIGINS: value });
      // Assess
      expect(error.message).to.match(/CORS_ALLOWED_ORIGINS: must list/);
    });
  }
});

describe('loadConfig: the upstream budget fits in the function timeout', () => {
  it('accepts OPENAI_TIMEOUT_MS x attempts up to FUNCTION_TIMEOUT_SECONDS', () => {
    // Act
    const config = loadConfig({ OPENAI_TIMEOUT_MS: '300000', OPENAI_MAX_RETRIES: '2', FUNCTION_TIMEOUT_SECONDS: '900' });
    // Assess
    expect(config.functionTimeoutSeconds).to.equal(900);
  });

  it('refuses a budget one millisecond too large, saying how to fix it', () => {
    // Act
    const error = configError({ OPENAI_TIMEOUT_MS: '300001', OPENAI_MAX_RETRIES: '2', FUNCTION_TIMEOUT_SECONDS: '900' });
    // Assess
    expect(error.message).to.include('OPENAI_TIMEOUT_MS: OPENAI_TIMEOUT_MS (300001) x 3 attempts');
    expect(error.message).to.include('lower OPENAI_TIMEOUT_MS to at most 300000');
  });

  it('checks nothing outside Lambda, where no function timeout is given', () => {
    // Act
    const config = loadConfig({ OPENAI_TIMEOUT_MS: '3600000', OPENAI_MAX_RETRIES: '10' });
    // Assess
    expect(config.openaiTimeoutMs).to.equal(3_600_000);
  });
});

describe('loadConfig: MAX_BODY_BYTES defaults to what a Lambda front door can carry', () => {
  it('lets a JSON body at the default limit fit in a REST event under Lambda\'s 6,291,456-byte invocation limit', () => {
    // Prepare: a Converse body of typical JSON (quotes escaped once more inside the event) at exactly the limit
    const limit = loadConfig({}).maxBodyBytes;
    const message = JSON.stringify({ messages: [{ role: 'user', content: [{ text: '' }] }] });
    const body = message.replace('"text":""', `"text":"${'lorem ipsum '.repeat(limit).slice(0, limit - message.length)}"`);
    const event = JSON.parse(readFileSync(new URL('../../../events/rest-converse.json', import.meta.url), 'utf8')) as { body: string };
    event.body = body;
    // Act
    const eventBytes = Buffer.byteLength(JSON.stringify(event));
    // Assess
    expect(Buffer.byteLength(body)).to.equal(DEFAULT_MAX_BODY_BYTES);
    expect(limit).to.equal(DEFAULT_MAX_BODY_BYTES);
    expect(eventBytes).to.be.below(6_291_456);
  });
});
