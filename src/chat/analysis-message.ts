import { formatMetric } from '../analysis/format.js';
import type { CanaryAnalysis } from '../analysis/types.js';
import { escapeMrkdwn as esc, preformatted } from './mrkdwn.js';
import type { ChatMessage } from './port.js';

/** Room left in a section (3,000 characters) for the table once the words around it are there. */
const TABLE_LIMIT = 2_600;
const VERDICT_WORD = { pass: 'pass', fail: 'FAIL', info: '' } as const;

/**
 * The analysis as one table: metric, canary, baseline, limit, verdict, as preformatted text (every
 * cell escaped), and the reason when it failed. For the thread, and inside the Promote message.
 * @example analysisText(analysis) // ':bar_chart: Canary analysis of web-1 against web-2: *failed*\n```metric  canary …```'
 */
export function analysisText(analysis: CanaryAnalysis): string {
  const head = `:bar_chart: Canary analysis of ${esc(analysis.canary)} ${analysis.baseline ? `against ${esc(analysis.baseline)}` : '(no baseline: absolute limits)'}: *${analysis.state}*`;
  const reason = analysis.reason ? `\n${esc(analysis.reason.slice(0, 300))}` : '';
  return `${head}\n${preformatted(analysisTable(analysis))}${reason}`;
}

/** The table's plain text, columns padded. */
export function analysisTable(analysis: CanaryAnalysis): string {
  const lines = [['metric', 'canary', 'baseline', 'limit', 'verdict'], ...analysis.rows.map((row) => [row.metric, formatMetric(row.canary, row.unit), analysis.baseline ? formatMetric(row.baseline, row.unit) : 'n/a', row.limit || '—', VERDICT_WORD[row.verdict]])];
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  const text = lines.map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  let table = '';
  for (const [index, line] of text.entries()) {
    if (table.length + line.length > TABLE_LIMIT) return `${table}… ${text.length - index} more row(s) on the deployment page`;
    table += `${line}\n`;
  }
  return table.trimEnd();
}

/** The thread reply carrying the analysis. */
export function analysisMessage(analysis: CanaryAnalysis): ChatMessage {
  const text = analysisText(analysis);
  return { text: `Canary analysis: ${analysis.state}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
