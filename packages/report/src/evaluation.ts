import type { RunData } from './read-run';
import { markup, type SafeHtml } from './safe-html';

/**
 * The last evaluation's confusion matrix (rows: true class, columns: predicted), each cell shaded by
 * its share of the row, with per-class accuracy (recall) in the last column.
 */
export function confusionHtml(d: RunData): SafeHtml {
  const last = [...d.evals].reverse().find((e) => Array.isArray(e.confusion) && e.confusion.length > 0);
  if (!last) return markup``;
  const m = last.confusion!;
  // The run files do not carry class names: classes are their indices, as in the labels.
  const names = m.map((_, i) => String(i));
  const rows = m.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v, j) => {
      const share = total ? v / total : 0;
      // Diagonal green, off-diagonal red; the colour's strength is the share of the row.
      const hue = i === j ? '120' : '0';
      return markup`<td class="cm" style="background:hsla(${hue},70%,45%,${share.toFixed(3)})" title="true ${names[i]}, predicted ${names[j]}: ${v}">${v}</td>`;
    });
    const recall = total ? (100 * row[i]!) / total : 0;
    return markup`<tr><th>${names[i]}</th>${cells}<td class="recall">${total ? `${recall.toFixed(0)}%` : '-'}</td></tr>`;
  });
  return markup`<figure id="confusion"><figcaption>Confusion matrix at step ${last.step} (rows: true class, columns: predicted; last column: per-class accuracy)</figcaption><table class="confusion"><tr><th>true \\ predicted</th>${names.map((n) => markup`<th>${n}</th>`)}<th>accuracy</th></tr>${rows}</table></figure>`;
}
