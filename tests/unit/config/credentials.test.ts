/** The formats in which an operator issues caller credentials: named API keys and SigV4 key pairs. */
import { expect } from 'chai';
import { nameFromKeyHash, parseApiKeyList, parseCallerKeysSecret, parseSigV4Credentials, type ApiKeyEntry } from '../../../app/config/credentials.ts';

const bare = (key: string): ApiKeyEntry => ({ name: nameFromKeyHash(key), key });

describe('parseApiKeyList (PROXY_API_KEYS)', () => {
  const cases: readonly (readonly [string, string, readonly ApiKeyEntry[]])[] = [
    ['named keys', 'alice=k-alice-1, ci-bot=k-bot-2', [{ name: 'alice', key: 'k-alice-1' }, { name: 'ci-bot', key: 'k-bot-2' }]],
    ['a bare key (the old form)', 'k-bare-3', [bare('k-bare-3')]],
    ['named and bare together', 'alice=k1,k2', [{ name: 'alice', key: 'k1' }, bare('k2')]],
    ['a bare base64 key ending in padding', 'c2VjcmV0LWtleQ==', [bare('c2VjcmV0LWtleQ==')]],
    ['a key that itself contains =', 'svc=a=b', [{ name: 'svc', key: 'a=b' }]],
    ['a name that is not a valid name', 'two words=k9', [bare('two words=k9')]],
    ['one name for two keys (a rotation in progress)', 'alice=old-key,alice=new-key', [{ name: 'alice', key: 'old-key' }, { name: 'alice', key: 'new-key' }]],
  ];
  for (const [label, value, expected] of cases) {
    it(`reads ${label}`, () => {
      // Act
      const entries = parseApiKeyList(value);
      // Assess
      expect(entries).to.deep.equal(expected);
    });
  }

  it('names a bare key by its hash: stable, and never the key or a part of it', () => {
    // Act
    const [first] = parseApiKeyList('prod-key-0123456789');
    const [again] = parseApiKeyList('prod-key-0123456789');
    const [other] = parseApiKeyList('prod-key-0123456788');
    // Assess
    expect(first!.name).to.match(/^key-[0-9a-f]{12}$/);
    expect(again!.name).to.equal(first!.name);
    expect(other!.name).to.not.equal(first!.name);
    expect(first!.name).to.not.include('prod');
  });
});

describe('parseCallerKeysSecret', () => {
  const cases: readonly (readonly [string, string, readonly ApiKeyEntry[]])[] = [
    ['one raw key', 'k1', [bare('k1')]],
    ['a csv list', 'k1,k2,k3', [bare('k1'), bare('k2'), bare('k3')]],
    ['a csv list with spaces and blanks', ' k1 , ,k2,\n', [bare('k1'), bare('k2')]],
    ['a csv list of named keys', 'alice=k1,bob=k2', [{ name: 'alice', key: 'k1' }, { name: 'bob', key: 'k2' }]],
    ['a JSON array', '["k1","k2"]', [bare('k1'), bare('k2')]],
    ['a JSON array with non-strings and blanks', '["k1", 2, "", null, "k2"]', [bare('k1'), bare('k2')]],
    ['{"keys":[...]}', '{"keys":["k1","k2"]}', [bare('k1'), bare('k2')]],
    [
      'a JSON list of {name, key, models}',
      '[{"name":"alice","key":"k1","models":["gpt-4o-mini","anthropic.*"]},{"key":"k2"}]',
      [{ name: 'alice', key: 'k1', models: ['gpt-4o-mini', 'anthropic.*'] }, bare('k2')],
    ],
    ['{"keys": [{name, key}]}', '{"keys":[{"name":"bob","key":"k3"}]}', [{ name: 'bob', key: 'k3' }]],
    ['an empty JSON array', '[]', []],
    ['an empty string', '', []],
  ];
  for (const [label, value, expected] of cases) {
    it(`reads ${label}`, () => {
      // Act
      const parsed = parseCallerKeysSecret(value);
      // Assess
      expect(parsed).to.deep.equal({ value: expected });
    });
  }

  const bad: readonly (readonly [string, string, string])[] = [
    ['bad JSON', '["k1",', 'not valid JSON'],
    ['an object without keys', '{"other":["k1"]}', '"keys" list'],
    ['keys that is not an array', '{"keys":"k1,k2"}', '"keys" list'],
    ['an entry without a key', '[{"name":"alice"}]', 'entry 0 has no "key"'],
    ['an invalid name', '[{"name":"a b","key":"k1"}]', '"name"'],
    ['models that is not a list of ids', '[{"key":"k1","models":"gpt-4o"}]', '"models"'],
  ];
  for (const [label, value, problem] of bad) {
    it(`refuses ${label}, saying why without quoting a key`, () => {
      // Act
      const parsed = parseCallerKeysSecret(value);
      // Assess
      expect(parsed).to.have.property('problem').that.includes(problem);
      expect((parsed as { problem: string }).problem).to.not.include('k1');
    });
  }
});

describe('parseSigV4Credentials', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

  it('reads credentials keyed by access key id, with name and models', () => {
    // Act
    const parsed = parseSigV4Credentials(JSON.stringify({ AKIDGATEWAY1: { secretAccessKey: SECRET, name: 'etl', models: ['*'] } }));
    // Assess
    expect('value' in parsed && [...parsed.value.entries()]).to.deep.equal([
      ['AKIDGATEWAY1', { accessKeyId: 'AKIDGATEWAY1', secretAccessKey: SECRET, name: 'etl', models: ['*'] }],
    ]);
  });

  const bad: readonly (readonly [string, string, string])[] = [
    ['not JSON', 'AKID=secret', 'not valid JSON'],
    ['a list', '[]', 'keyed by access key id'],
    ['an access key id with symbols', `{"AKID-1":{"secretAccessKey":"${SECRET}"}}`, 'access key ids'],
    ['a missing secret', '{"AKIDGATEWAY1":{}}', 'secretAccessKey'],
    ['a short secret', '{"AKIDGATEWAY1":{"secretAccessKey":"short"}}', 'at least 16'],
    ['an invalid name', `{"AKIDGATEWAY1":{"secretAccessKey":"${SECRET}","name":"a,b"}}`, '"name"'],
  ];
  for (const [label, value, problem] of bad) {
    it(`refuses ${label}, without quoting a secret`, () => {
      // Act
      const parsed = parseSigV4Credentials(value);
      // Assess
      expect(parsed).to.have.property('problem').that.includes(problem);
      expect((parsed as { problem: string }).problem).to.not.include(SECRET);
    });
  }
});
