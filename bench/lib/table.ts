/** The printed report: one row per figure, with its budget and verdict when it has one. */

export interface Row {
  readonly figure: string;
  /** Human display of the measured value ("error" when the scenario failed). */
  readonly value: string;
  /** e.g. "<= 0.5 ms"; empty for information-only rows. */
  readonly budget: string;
  /** true pass, false fail, null no budget. */
  readonly pass: boolean | null;
}

export const verdict = (row: Row): string => (row.pass === null ? '' : row.pass ? 'pass' : 'FAIL');

export function renderTable(rows: readonly Row[]): string {
  const header = { figure: 'figure', value: 'value', budget: 'budget', verdict: 'pass/fail' };
  const cells = rows.map((row) => ({ figure: row.figure, value: row.value, budget: row.budget, verdict: verdict(row) }));
  const width = (key: keyof typeof header) => Math.max(header[key].length, ...cells.map((c) => c[key].length));
  const widths = { figure: width('figure'), value: width('value'), budget: width('budget'), verdict: width('verdict') };
  const line = (c: typeof header) => `| ${c.figure.padEnd(widths.figure)} | ${c.value.padStart(widths.value)} | ${c.budget.padEnd(widths.budget)} | ${c.verdict.padEnd(widths.verdict)} |`;
  const rule = `|${'-'.repeat(widths.figure + 2)}|${'-'.repeat(widths.value + 1)}:|${'-'.repeat(widths.budget + 2)}|${'-'.repeat(widths.verdict + 2)}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
