/**
 * "Download my data" (GDPR art. 15, right of access, and art. 20, data
 * portability): everything the graph holds on the signed-in citizen, as JSON,
 * and a summary as PDF. The export is one query through the gateway itself,
 * with the citizen's own token and the self-service purpose: it is judged and
 * audited like any read, and shows in their data tracker. Nothing here reads
 * an agency's database.
 */
import type { Express, Request, Response } from 'express';
import PDFDocument from 'pdfkit';
import { formatDate, formatMoney } from '../platform/messages/formats.ts';
import { messagesIn } from '../platform/messages/render.ts';
import { sendGraphQLError } from './http-errors.ts';
import { usePdfFont } from '../platform/pdf-font.ts';

const M = 'key params';
export const EXPORT_QUERY = `query DataExport {
  me {
    id givenName familyName dateOfBirth sex citizenship preferredLanguage
    residence { street municipality postalCode } contact { email phone }
    maritalStatus partner { id } parents { id } children { id } guardians { id } householdMembers { id }
    wards { id givenName familyName dateOfBirth }
    lifeEvents { kind date relatedCitizen { id } }
    annualIncome insuredYears taxResidency { status country } incomes { year kind amount }
    employments { employer { id name } since until }
    taxAssessments { year taxableIncome assessedTax withheldTax balance assessedOn }
    benefitEnrollments { id status since until monthlyAmount amount nextPaymentOn programme { code } }
    benefitPayments(last: 120) { id paidOn amount scheduled programme { code } }
    proactiveOffers { id status amount offeredOn decidedOn objectionDeadline reference programme { code }
      explanation { automatic legalSource facts { agency message { ${M} } } law { ${M} } amount { ${M} } nextSteps { ${M} } } }
    inbox { id message { ${M} } receivedOn read reference sender signature }
    proactivePreference { optOut } notificationPreference { channel }
    dataAccessLog(first: 100) { entries { id at clientId agencies purpose caseReference categories byYou } hasNextPage }
  }
}`;

type Exported = Record<string, unknown> & {
  id: string | null;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  residence: { street: string | null; municipality: string | null; postalCode: string | null } | null;
  contact: { email: string | null } | null;
  children: { id: string }[] | null;
  wards: { id: string; givenName: string | null; familyName: string | null }[] | null;
  annualIncome: number | null;
  benefitEnrollments: { status: string; monthlyAmount: number | null; amount: number | null; programme: { code: string } }[] | null;
  proactiveOffers: { status: string; programme: { code: string } }[] | null;
  inbox: { message: { key: string; params: Record<string, unknown> }; receivedOn: string; reference: string | null }[] | null;
  dataAccessLog: { entries: unknown[]; hasNextPage: boolean } | null;
};

export function renderExportPdf(data: Exported, lng: string | undefined, today: string): Promise<Buffer> {
  const { t, lng: language } = messagesIn(lng);
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: t('export.title'), Author: 'citizen-graph' }, lang: language } as PDFKit.PDFDocumentOptions);
  usePdfFont(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const heading = (text: string) => doc.moveDown(0.8).fontSize(13).text(text).fontSize(10).moveDown(0.2);
  const line = (label: string, value: string | null | undefined) => doc.text(`${label}: ${value ?? t('export.none')}`);
  const programme = (code: string) => t(`programme.${code}.name`, { defaultValue: code });

  doc.fontSize(18).text(t('export.title'));
  doc.fontSize(9).text(t('export.generated', { date: formatDate(today, language) })).fontSize(10);
  heading(t('export.personal'));
  line(t('export.name'), [data.givenName, data.familyName].filter(Boolean).join(' '));
  line(t('export.code'), data.id);
  line(t('export.born'), data.dateOfBirth ? formatDate(data.dateOfBirth, language) : null);
  line(t('export.address'), data.residence ? [data.residence.street, data.residence.postalCode, data.residence.municipality].filter(Boolean).join(', ') : null);
  line(t('export.email'), data.contact?.email);
  heading(t('export.family'));
  const wards = new Map((data.wards ?? []).map((w) => [w.id, [w.givenName, w.familyName].filter(Boolean).join(' ')]));
  line(t('export.children'), (data.children ?? []).map((c) => wards.get(c.id) ?? c.id).join(', ') || null);
  heading(t('export.income'));
  line(t('export.annualIncome'), data.annualIncome === null ? null : formatMoney(data.annualIncome, language));
  heading(t('export.benefits'));
  for (const e of data.benefitEnrollments ?? []) {
    const amount = e.monthlyAmount !== null ? t('export.monthly', { amount: formatMoney(e.monthlyAmount, language) }) : e.amount !== null ? formatMoney(e.amount, language) : '';
    doc.text(`• ${programme(e.programme.code)} ${amount}`.trim());
  }
  if (!data.benefitEnrollments?.length) doc.text(t('export.none'));
  heading(t('export.offers'));
  for (const o of data.proactiveOffers ?? []) doc.text(`• ${programme(o.programme.code)} (${o.status.toLowerCase().replace(/_/g, ' ')})`);
  if (!data.proactiveOffers?.length) doc.text(t('export.none'));
  heading(t('export.inbox'));
  for (const m of (data.inbox ?? []).slice(0, 30)) {
    const params = { ...m.message.params, reference: m.reference ?? '', programmeName: programme(String(m.message.params.programme ?? '')) };
    doc.text(`• ${formatDate(m.receivedOn, language)}: ${t(`${m.message.key}.subject`, { ...params, defaultValue: m.message.key })}`);
  }
  heading(t('export.reads'));
  const reads = data.dataAccessLog?.entries.length ?? 0;
  doc.text(t('export.readsCount', { count: reads }));
  doc.moveDown(1).fontSize(9).text(t('export.json'));
  doc.end();
  return done;
}

/**
 * A signed-in citizen the registers do not know (a new resident, say): `me` is null without an error. That is an
 * answer, not a failure: the export says nothing is held (GDPR art. 15 asks to confirm that too).
 */
const NOTHING_HELD: Exported = {
  id: null, givenName: null, familyName: null, dateOfBirth: null, residence: null, contact: null, children: null, wards: null,
  annualIncome: null, benefitEnrollments: null, proactiveOffers: null, inbox: null, dataAccessLog: null,
};

export function mountDataExport(app: Express, graphqlUrl: () => string | undefined, today: () => string): void {
  const fetchExport = async (req: Request, res: Response): Promise<Exported | null | undefined> => {
    const authorization = req.header('authorization');
    const url = graphqlUrl();
    if (!authorization || !url) {
      sendGraphQLError(res, 401, 'UNAUTHENTICATED', 'sign in to download your data');
      return undefined;
    }
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization, 'x-purpose': 'self-service', 'x-request-id': `export-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}` },
      body: JSON.stringify({ query: EXPORT_QUERY, operationName: 'DataExport' }),
    });
    const body = (await response.json().catch(() => null)) as { data?: { me: Exported | null }; errors?: { message: string; extensions?: { code?: string } }[] } | null;
    if (response.ok && body?.data && body.data.me === null && !body.errors?.length) return null;
    if (!response.ok || !body?.data?.me) {
      const code = body?.errors?.[0]?.extensions?.code ?? 'EXPORT_FAILED';
      sendGraphQLError(res, response.ok ? 502 : response.status, code, 'your data could not be exported');
      return undefined;
    }
    return body.data.me;
  };
  app.get('/portal/my-data.json', async (req, res) => {
    const data = await fetchExport(req, res);
    if (data === undefined) return;
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-disposition', `attachment; filename="my-data-${today()}.json"`);
    res.json({ exportedOn: today(), legalBasis: 'GDPR art. 15 and 20', held: data !== null, data });
  });
  app.get('/portal/my-data.pdf', async (req, res) => {
    const data = await fetchExport(req, res);
    if (data === undefined) return;
    const lng = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    const pdf = await renderExportPdf(data ?? NOTHING_HELD, lng, today());
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-type', 'application/pdf');
    res.setHeader('content-disposition', `attachment; filename="my-data-${today()}.pdf"`);
    res.send(pdf);
  });
}
