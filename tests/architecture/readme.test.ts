/** README "Layout" is the tree: one line per app/ folder, in floor order, and per top-level folder. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FLOORS } from './floors.ts';
import { ROOT } from './imports.ts';

function layoutBlock(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = /### Layout\n+```\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README has no "### Layout" block');
  return match[1]!.split('\n');
}

const folders = (dir: string) =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules' && !entry.name.startsWith('dist'))
    .map((entry) => entry.name)
    .sort();

describe('README: the layout matches the tree', () => {
  const lines = layoutBlock();

  it('names every folder of app/, once, from the top floor down', () => {
    // Act
    const named = lines.flatMap((line) => /^ {2}([a-z]+)\/\s/.exec(line)?.[1] ?? []);
    // Assess
    expect([...named].sort()).to.deep.equal(folders('app'));
    const floorsInOrder = named.map((room) => FLOORS[room]!);
    expect(floorsInOrder).to.deep.equal([...floorsInOrder].sort((a, b) => b - a));
  });

  it('names every top-level folder of the repository', () => {
    // Act
    const named = lines.flatMap((line) => /^([a-z]+)\/\s/.exec(line)?.[1] ?? []);
    // Assess
    expect(named.sort()).to.deep.equal(folders('.'));
  });
});
