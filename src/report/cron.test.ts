import { describe, expect, it } from 'vitest';
import { cronProblem } from './cron.js';

describe('cronProblem', () => {
  it.each(['30 1 * * 6', '*/15 * * * *', '0 22 * * 1-5', '0 0 1,15 * *', '0-30/5 1 * JAN-MAR mon,WED', '0 0 * * 7', '59 23 31 12 0'])('accepts %s', (line) => {
    expect(cronProblem(line)).toBeUndefined();
  });

  it.each([
    ['not a cron', /has 3 fields/],
    ['0 30 1 * * 6', /has 6 fields/],
    ['@daily', /has 1 field,/],
    ['60 * * * *', /minute "60": "60" is not 0–59/],
    ['* 24 * * *', /hour "24": "24" is not 0–23/],
    ['* * 0 * *', /day of month "0": "0" is not 1–31/],
    ['* * * 13 *', /month "13": "13" is not 1–12 or a name/],
    ['* * * * 8', /day of week "8": "8" is not 0–7/],
    ['* * * * FOO', /"FOO" is not 0–7 or a name/],
    ['5-1 * * * *', /range "5-1" runs backwards/],
    ['*/0 * * * *', /step "0" is not a whole number of 1 or more/],
    ['5/10 * * * *', /a step follows \* or a range/],
    ['1,,2 * * * *', /"" is not a value/],
    ['1-2-3 * * * *', /"1-2-3" is not a value or a range/],
  ])('refuses %s', (line, problem) => {
    expect(cronProblem(line)).toMatch(problem);
  });
});
