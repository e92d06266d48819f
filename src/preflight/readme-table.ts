/** The README's table of preflight checks, between its markers, from the list of checks (`npm run docs` writes it). Pure. */
import { checksTable } from './registry.js';

const START = /<!-- preflight-checks:[^>]*-->\n/;
const END = '<!-- /preflight-checks -->';

/** The README with its checks table as the list says it (an error when the markers are missing). */
export function replaceChecksTable(readme: string): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < start.index) throw new Error('README.md has no <!-- preflight-checks: … --> … <!-- /preflight-checks --> section');
  return `${readme.slice(0, start.index + start[0].length)}${checksTable()}\n${readme.slice(end)}`;
}
