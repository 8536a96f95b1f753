/**
 * The one HTML escaper of the library: every table, summary and report writes text through it.
 * It has no imports, so any layer (models, transfer, viz) may use it.
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
