// Small readers of TLC's text shared by the stages: decimal digits, line counting, first lines, numbers with
// thousands separators.

/** A run of 1 to 9 decimal digits at `i` (before `to`). */
export function digits(s: string, i: number, to: number): { value: number; end: number } | undefined {
  let n = 0;
  let j = i;
  while (j < to && j - i < 9) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    j++;
  }
  return j === i ? undefined : { value: n, end: j };
}

export function countNewlines(s: string): number {
  let n = 0;
  let i = s.indexOf('\n');
  while (i >= 0) {
    n++;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}

export function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  const l = nl < 0 ? s : s.slice(0, nl);
  return l.endsWith('\r') ? l.slice(0, -1) : l;
}

export function num(s: string | undefined): number {
  return s === undefined ? NaN : Number(s.replace(/,/g, ''));
}
