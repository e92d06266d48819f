/**
 * A five-field cron line as both GitLab (fugit) and GitHub Actions schedule
 * it: minute hour day-of-month month day-of-week, each field a comma list of
 * `*`, `N`, `N-M`, optionally `/STEP` after `*` or a range; month and weekday
 * also by name (JAN, MON). Macros (@daily) and seconds are left out: not both
 * CIs take them. Pure: the problem in words, or undefined when the line is good.
 */
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;

type Field = (typeof FIELDS)[number];

export function cronProblem(line: string): string | undefined {
  const parts = line.trim().split(/\s+/).filter((part) => part !== '');
  if (parts.length !== 5) return `has ${parts.length} field${parts.length === 1 ? '' : 's'}, a cron line has 5 (minute hour day-of-month month day-of-week)`;
  for (const [index, part] of parts.entries()) {
    const field = FIELDS[index]!;
    for (const item of part.split(',')) {
      const problem = itemProblem(item, field);
      if (problem) return `${field.name} "${part}": ${problem}`;
    }
  }
  return undefined;
}

function itemProblem(item: string, field: Field): string | undefined {
  const [base, step, ...rest] = item.split('/');
  if (rest.length > 0 || base === undefined || base === '') return `"${item}" is not a value, a range or */step`;
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) < 1) return `step "${step}" is not a whole number of 1 or more`;
    if (base !== '*' && !base.includes('-')) return `a step follows * or a range (e.g. */15 or 0-30/5), not "${base}"`;
  }
  if (base === '*') return undefined;
  const bounds = base.split('-');
  if (bounds.length > 2) return `"${base}" is not a value or a range`;
  const values: number[] = [];
  for (const bound of bounds) {
    const value = valueOf(bound, field);
    if (value === undefined) return `"${bound}" is not ${field.min}–${field.max}${'names' in field ? ` or a name (${field.names[0]}…)` : ''}`;
    values.push(value);
  }
  if (values.length === 2 && values[0]! > values[1]!) return `range "${base}" runs backwards`;
  return undefined;
}

function valueOf(text: string, field: Field): number | undefined {
  if (/^\d{1,2}$/.test(text)) {
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : undefined;
  }
  if (!('names' in field)) return undefined;
  const index = (field.names as readonly string[]).indexOf(text.toUpperCase());
  return index < 0 ? undefined : index + field.min;
}
