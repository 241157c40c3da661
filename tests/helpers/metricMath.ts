/**
 * A small evaluator for the CloudWatch metric math the alarms use, on one datapoint: numbers,
 * metric ids, + - * /, comparisons, AND / OR / NOT, IF(condition, then, else) and FILL(x, value).
 * A missing metric is undefined, and so is anything computed from it (CloudWatch then has no
 * datapoint, which the alarms treat as not breaching); FILL turns it into its value; a division
 * by zero is undefined too. Enough to run the template's own expressions on invented traffic.
 */
type Value = number | undefined;

const TOKEN = /\s*(>=|<=|==|!=|&&|\|\||[-+*/(),<>]|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.trimEnd().length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) throw new Error(`metric math: cannot read ${JSON.stringify(expression.slice(at))}`);
    tokens.push(match[1]!);
  }
  return tokens;
}

const arithmetic = (a: Value, b: Value, op: (x: number, y: number) => number): Value => {
  if (a === undefined || b === undefined) return undefined;
  const result = op(a, b);
  return Number.isFinite(result) ? result : undefined;
};
const truth = (value: boolean): number => (value ? 1 : 0);

export function evaluateMetricMath(expression: string, values: Readonly<Record<string, Value>>): Value {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position]?.toUpperCase();
  const take = (expected?: string): string => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token.toUpperCase() !== expected)) throw new Error(`metric math: expected ${expected ?? 'a token'} in ${expression}`);
    return token;
  };

  function or(): Value {
    let left = and();
    while (peek() === 'OR' || peek() === '||') {
      take();
      const right = and();
      left = left === undefined || right === undefined ? undefined : truth(left !== 0 || right !== 0);
    }
    return left;
  }
  function and(): Value {
    let left = comparison();
    while (peek() === 'AND' || peek() === '&&') {
      take();
      const right = comparison();
      left = left === undefined || right === undefined ? undefined : truth(left !== 0 && right !== 0);
    }
    return left;
  }
  function comparison(): Value {
    const left = sum();
    const op = peek();
    if (op === undefined || !['>', '<', '>=', '<=', '==', '!='].includes(op)) return left;
    take();
    const right = sum();
    if (left === undefined || right === undefined) return undefined;
    const results: Record<string, boolean> = { '>': left > right, '<': left < right, '>=': left >= right, '<=': left <= right, '==': left === right, '!=': left !== right };
    return truth(results[op]!);
  }
  function sum(): Value {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      const right = product();
      left = arithmetic(left, right, op === '+' ? (x, y) => x + y : (x, y) => x - y);
    }
    return left;
  }
  function product(): Value {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      const right = unary();
      left = arithmetic(left, right, op === '*' ? (x, y) => x * y : (x, y) => x / y);
    }
    return left;
  }
  function unary(): Value {
    if (peek() === '-') {
      take();
      const value = unary();
      return value === undefined ? undefined : -value;
    }
    if (peek() === 'NOT') {
      take();
      const value = unary();
      return value === undefined ? undefined : truth(value === 0);
    }
    return primary();
  }
  function primary(): Value {
    const token = take();
    if (token === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (/^\d/.test(token)) return Number(token);
    const name = token.toUpperCase();
    if (name === 'IF' || name === 'FILL') {
      take('(');
      const args = [or()];
      while (peek() === ',') {
        take();
        args.push(or());
      }
      take(')');
      if (name === 'FILL') return args[0] ?? args[1];
      const [condition, then, otherwise] = args;
      if (condition === undefined) return undefined;
      return condition !== 0 ? then : otherwise;
    }
    if (!(token in values)) throw new Error(`metric math: ${token} is not a metric or expression id here (${expression})`);
    return values[token];
  }

  const result = or();
  if (position !== tokens.length) throw new Error(`metric math: unexpected ${tokens[position]} in ${expression}`);
  return result;
}
