/**
 * The one HTML escaper of the library: every table, summary and report writes text through it.
 * It has no imports, so any layer (models, transfer, viz) may use it.
 */

/**
 * Escapes text for HTML element content and attribute values. Quotes become numeric entities
 * (`&#34;`, `&#39;`), which plotly's label renderer decodes too (it knows no `&quot;`), so the
 * same escaper serves plotly titles and tick texts (see `plotlyText` in viz/figure.ts).
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');
}
