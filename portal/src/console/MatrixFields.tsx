/**
 * The fields behind one cell of the purposes × categories matrix: every field
 * of the category, whether the purpose may read it, and if not, why (the
 * decision of permissions/decide.ts, computed by the gateway's /policy/matrix).
 */
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from '../i18n/index.ts';
import type { Matrix } from './types.ts';

export interface CellRef {
  row: number;
  column: number;
}

export const MATRIX_FIELDS_ID = 'matrix-fields';

export function MatrixFields({ matrix, cell, onClose }: { matrix: Matrix; cell: CellRef; onClose: () => void }) {
  const { t } = useTranslation();
  const heading = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const row = matrix.rows[cell.row]!;
  const category = matrix.categories[cell.column]!;
  const data = row.cells[cell.column]!;
  useEffect(() => headingRef.current?.focus(), [cell.row, cell.column]);
  return (
    <section id={MATRIX_FIELDS_ID} className="matrix-fields" aria-labelledby={heading}>
      <h3 id={heading} tabIndex={-1} ref={headingRef}>
        {t('console.matrix.fieldsOf', { category, purpose: row.purpose })}
      </h3>
      <p className="small-text muted">{t('console.matrix.summary', { allowed: data.allowed, total: data.total })}</p>
      {data.fields.length === 0 ? (
        <p className="muted">{t('console.matrix.noFields')}</p>
      ) : (
        <ul className="matrix-field-list">
          {data.fields.map((f) => (
            <li key={f.field} className={f.allow ? 'allowed' : 'refused'} data-field={f.field}>
              <code>{f.field}</code> <span className="muted small-text">({f.category})</span>{' '}
              {f.allow ? (
                <span className="badge ok">{t('console.matrix.mayRead')}</span>
              ) : (
                <span className="badge">{t(`console.matrix.reason.${f.reason ?? 'NOT_GRANTED'}`, { defaultValue: t('console.matrix.refused') })}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="secondary small" onClick={onClose}>
        {t('console.matrix.close')}
      </button>
    </section>
  );
}
