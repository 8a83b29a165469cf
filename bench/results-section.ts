/**
 * Each browser bench keeps its own section of bench/RESULTS.md (from its `## ` heading to the
 * next one) and rewrites only that section, leaving the other benches' sections as they are.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** `text` with the section under `heading` replaced by `report`, or `report` appended. */
export function replaceSection(text: string, heading: string, report: string): string {
  const start = text.indexOf(heading);
  if (start < 0) return `${text.trimEnd()}\n\n${report.trimEnd()}\n`;
  const next = text.indexOf('\n## ', start + heading.length);
  return text.slice(0, start) + report.trimEnd() + '\n' + (next >= 0 ? text.slice(next) : '');
}

/** Rewrites the section under `heading` of `file`; `format` may reformat the whole text. */
export async function writeSection(
  file: string,
  heading: string,
  report: string,
  format: (text: string) => string | Promise<string> = (text) => text,
): Promise<void> {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  writeFileSync(file, await format(replaceSection(text, heading, report)));
  console.log(`wrote ${file}`);
}
