/**
 * The font of the PDFs the services write (the data export, letters): one with
 * Estonian and Cyrillic letters, Debian's DejaVu Sans unless PDF_FONT names
 * another; the PDF's built-in Helvetica (Latin-1 only) when the file is missing.
 */
import { existsSync } from 'node:fs';

export const PDF_FONT = process.env.PDF_FONT ?? '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** Sets the font on a pdfkit document when the file is there. */
export function usePdfFont(doc: PDFKit.PDFDocument): void {
  if (existsSync(PDF_FONT)) doc.font(PDF_FONT);
}
