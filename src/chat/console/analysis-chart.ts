import type { CanaryAnalysis } from '../../analysis/types.js';

const WIDTH = 640;
const HEIGHT = 220;
/** The legend sits in the top padding, above the lines. */
const PAD = { left: 48, right: 16, top: 32, bottom: 32 };
const COLOURS = { canary: '#d9480f', baseline: '#1c7ed6' } as const;

/** Text for HTML and SVG, markup characters escaped. */
function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/**
 * The canary's and the baseline's p95 latency per second of the load probe, as an inline SVG
 * (no script, no style attribute: the page's CSP allows neither). Every text is escaped; numbers
 * are checked to be finite. Null when the probe left no series.
 * @example latencyChart(deployment.analysis) // '<svg xmlns="http://www.w3.org/2000/svg" …>…</svg>'
 */
export function latencyChart(analysis: CanaryAnalysis | null | undefined): string | null {
  if (!analysis) return null;
  const lines = [
    { name: `canary ${analysis.canary}`, points: clean(analysis.series.canary), colour: COLOURS.canary },
    ...(analysis.baseline && analysis.series.baseline ? [{ name: `baseline ${analysis.baseline}`, points: clean(analysis.series.baseline), colour: COLOURS.baseline }] : []),
  ].filter((line) => line.points.length > 0);
  if (!lines.length) return null;
  const all = lines.flatMap((line) => line.points);
  const maxX = Math.max(1, ...all.map(([second]) => second));
  const maxY = niceCeiling(Math.max(1, ...all.map(([, ms]) => ms)));
  const x = (second: number) => PAD.left + (second / maxX) * (WIDTH - PAD.left - PAD.right);
  const y = (ms: number) => HEIGHT - PAD.bottom - (ms / maxY) * (HEIGHT - PAD.top - PAD.bottom);
  const grid = [0, 0.5, 1].map((share) => {
    const value = maxY * share;
    return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" font-size="11">${escapeXml(`${Math.round(value)}ms`)}</text>`;
  });
  const paths = lines.map((line) => `<polyline fill="none" stroke="${line.colour}" stroke-width="2" points="${line.points.map(([second, ms]) => `${x(second).toFixed(1)},${y(ms).toFixed(1)}`).join(' ')}"><title>${escapeXml(`${line.name}: p95 per second`)}</title></polyline>`);
  const legend = lines.map((line, index) => `<g transform="translate(${PAD.left + 8 + index * 200},6)"><rect width="10" height="10" fill="${line.colour}"/><text x="14" y="9" font-size="11">${escapeXml(line.name)}</text></g>`);
  const axis = `<text x="${(WIDTH / 2).toFixed(0)}" y="${HEIGHT - 6}" text-anchor="middle" font-size="11">${escapeXml(`seconds of the probe (0 → ${maxX}s), p95 latency`)}</text>`;
  const label = escapeXml(`p95 latency of ${lines.map((line) => line.name).join(' and ')} during the load probe`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${label}" class="analysis-chart">${grid.join('')}${paths.join('')}${legend.join('')}${axis}</svg>`;
}

/** Finite, non-negative points only, in order. */
function clean(points: ReadonlyArray<[number, number]>): Array<[number, number]> {
  return points.filter(([second, ms]) => Number.isFinite(second) && Number.isFinite(ms) && second >= 0 && ms >= 0).sort((a, b) => a[0] - b[0]);
}

/** 1, 2 or 5 × a power of ten, at least `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value) ?? 10 * power);
}
