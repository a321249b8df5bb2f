/**
 * `policy matrix`: purposes × categories, for review boards and the privacy
 * notice. Rows are purposes, columns the top-level categories and the leaf
 * categories under them (intermediate levels add nothing a reader needs).
 * Each cell is computed with `decide` over the fields of that category.
 */
import { categoryCovers, classify, type DenialReason } from './decide.ts';
import { grantDecision } from './evaluate.ts';
import { PUBLIC, type Policy } from './model.ts';
import type { SchemaFields } from './schema-fields.ts';

export type CellState = 'granted' | 'partial' | 'denied' | 'none';

export interface MatrixCell {
  state: CellState;
  /** Fields of the category the purpose may read, out of `total`. */
  allowed: number;
  total: number;
  /** The fields behind the cell (Type.field), each with the decision and, when refused, why. */
  fields: MatrixField[];
}

export interface MatrixField {
  field: string;
  /** The field's own category (a leaf under the column's). */
  category: string;
  allow: boolean;
  reason?: DenialReason;
}

export interface MatrixRow {
  purpose: string;
  internal: boolean;
  legalBasis: string;
  /** The basis's kind (statute, public-task, consent, contract): the console groups purposes by it. */
  legalBasisKind: string;
  /** Whom the purpose reaches (self, represented, any, consented). */
  subjects: string[];
  cells: MatrixCell[];
}

export interface Matrix {
  categories: string[];
  rows: MatrixRow[];
}

/** Top-level categories, each followed by the leaves of its branch, in file order. */
export function matrixCategories(policy: Policy): string[] {
  const names = Object.keys(policy.categories);
  const isLeaf = (c: string) => !names.some((other) => other !== c && categoryCovers(c, other));
  const columns: string[] = [];
  for (const top of names.filter((c) => !c.includes('.'))) {
    columns.push(top, ...names.filter((c) => c !== top && categoryCovers(top, c) && isLeaf(c)));
  }
  return columns;
}

function cell(policy: Policy, fields: SchemaFields, purposeId: string, category: string): MatrixCell {
  const inCategory = fields.readable.filter((f) => {
    const c = classify(policy, f);
    return c !== undefined && c !== PUBLIC && categoryCovers(category, c);
  });
  const decisions = inCategory.map((f) => grantDecision(policy, purposeId, f));
  const allowed = decisions.filter((d) => d.allow).length;
  const total = inCategory.length;
  const cellFields: MatrixField[] = inCategory.map((field, i) => {
    const d = decisions[i]!;
    return { field, category: classify(policy, field)!, allow: d.allow, ...(d.allow ? {} : { reason: d.reason }) };
  });
  if (total === 0) {
    // A category no field carries yet: show what the purpose says about it,
    // so the matrix still answers "would new fields here be readable?".
    const { read, deny } = policy.purposes[purposeId]!;
    const state = deny.categories.some((d) => categoryCovers(d, category))
      ? 'denied'
      : read.categories.some((r) => categoryCovers(r, category))
        ? 'granted'
        : 'none';
    return { state, allowed, total, fields: cellFields };
  }
  if (allowed === total) return { state: 'granted', allowed, total, fields: cellFields };
  if (allowed > 0) return { state: 'partial', allowed, total, fields: cellFields };
  const anyDenied = decisions.some((d) => !d.allow && d.reason === 'EXPLICITLY_DENIED');
  return { state: anyDenied ? 'denied' : 'none', allowed, total, fields: cellFields };
}

export function buildMatrix(policy: Policy, fields: SchemaFields): Matrix {
  const categories = matrixCategories(policy);
  return {
    categories,
    rows: Object.entries(policy.purposes).map(([id, purpose]) => ({
      purpose: id,
      internal: purpose.internal,
      legalBasis: `${purpose.legalBasis.kind}: ${purpose.legalBasis.reference.replace(/\s+/g, ' ').trim()}`,
      legalBasisKind: purpose.legalBasis.kind,
      subjects: [...purpose.subjects],
      cells: categories.map((category) => cell(policy, fields, id, category)),
    })),
  };
}

export function cellText(c: MatrixCell): string {
  switch (c.state) {
    case 'granted':
      return 'granted';
    case 'partial':
      return `partial (${c.allowed}/${c.total})`;
    case 'denied':
      return 'denied';
    case 'none':
      return '–';
  }
}

const purposeLabel = (row: MatrixRow) => (row.internal ? `${row.purpose} (internal)` : row.purpose);

export function renderMarkdown(matrix: Matrix): string {
  // A pipe would end the cell; newlines would end the row.
  const escape = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  const header = ['purpose', ...matrix.categories, 'legal basis'];
  const lines = [
    `| ${header.map(escape).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...matrix.rows.map((row) => `| ${[purposeLabel(row), ...row.cells.map(cellText), row.legalBasis].map(escape).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A standalone page (no external assets), so it can be attached to a review or mailed. */
export function renderHtml(matrix: Matrix, title = 'citizen-graph: purposes × categories'): string {
  const th = (text: string, scope: 'col' | 'row') => `<th scope="${scope}">${escapeHtml(text)}</th>`;
  const head = `<tr>${['purpose', ...matrix.categories, 'legal basis'].map((c) => th(c, 'col')).join('')}</tr>`;
  const body = matrix.rows
    .map(
      (row) =>
        `<tr>${th(purposeLabel(row), 'row')}${row.cells
          .map((c) => `<td class="${c.state}">${escapeHtml(cellText(c))}</td>`)
          .join('')}<td class="basis">${escapeHtml(row.legalBasis)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1rem; }
  table { border-collapse: collapse; font-size: 0.85rem; }
  th, td { border: 1px solid #999; padding: 0.25rem 0.5rem; text-align: center; }
  th[scope="row"], td.basis { text-align: left; }
  td.basis { max-width: 30rem; }
  td.granted { background: #d4f4d4; }
  td.partial { background: #fff2c4; }
  td.denied { background: #f8d0d0; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<table>
<thead>
${head}
</thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}
