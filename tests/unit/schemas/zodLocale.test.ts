import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);

describe('zod/mini messages (app/schemas/zod.ts)', function () {
  this.timeout(20_000);

  it('are English in a fresh process that never loads classic zod (mini installs no locale itself)', async () => {
    // Prepare: a process of its own, because any classic `zod` import in this mocha run installs the locale globally.
    const script = `
      const { ConverseRequest } = await import(${JSON.stringify(new URL('../../../app/schemas/converse.ts', import.meta.url).href)});
      const { parseWith } = await import(${JSON.stringify(new URL('../../../app/schemas/validate.ts', import.meta.url).href)});
      try { parseWith(ConverseRequest, { messages: 'not a list' }); } catch (error) { console.log(error.message); }`;
    // Act
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    // Assess
    expect(stdout.trim()).to.equal('1 validation error detected: messages: Invalid input: expected array, received string');
  });
});
