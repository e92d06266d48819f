/**
 * A YAML comment line that holds values from flags and paths (a pipeline's
 * --window or --runner-tag, an imported inventory's file name): a line break
 * in one would end the comment and make the rest of the value YAML structure.
 * Every character YAML 1.1 (GitLab, PyYAML) or 1.2 breaks a line at, and every
 * other control character but the tab, is a space there. Pure.
 */
export function yamlCommentLine(line: string): string {
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}
