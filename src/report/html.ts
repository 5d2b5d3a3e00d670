/**
 * The QC report page: pictures first, then the numbers, all in one self-contained
 * `index.html` beside its PNG files and `metrics.json`.
 * @module
 */

/** One picture on the page. */
export interface ReportFigure {
  file: string;
  caption: string;
}

/** One table of figures. */
export interface ReportTable {
  title: string;
  rows: [string, string][];
}

function escape(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

/**
 * Render the report page.
 * @param title page heading
 * @param figures pictures with captions, shown in order
 * @param tables tables of label/value rows
 * @returns HTML text
 */
export function reportHtml(title: string, figures: ReportFigure[], tables: ReportTable[]): string {
  const pictures = figures.map((f) =>
    `<figure><img src="${escape(f.file)}" alt="${escape(f.caption)}"><figcaption>${
      escape(f.caption)
    }</figcaption></figure>`
  ).join("\n");
  const tableHtml = tables.map((t) =>
    `<h2>${escape(t.title)}</h2><table>${
      t.rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join("")
    }</table>`
  ).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
.pictures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; } img { max-width: 420px; image-rendering: pixelated; border: 1px solid #ccc; }
figcaption { font-size: 0.85em; max-width: 420px; }
table { border-collapse: collapse; margin-bottom: 1em; }
th, td { text-align: left; padding: 0.2em 0.8em; border-bottom: 1px solid #eee; }
</style></head>
<body><h1>${escape(title)}</h1>
<div class="pictures">
${pictures}
</div>
${tableHtml}
</body></html>
`;
}
