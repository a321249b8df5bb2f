/** The shapes of the gateway's /policy views (gateway/policy-routes.ts). */
export interface Matrix {
  categories: string[];
  rows: { purpose: string; internal: boolean; legalBasis: string; legalBasisKind?: string; subjects?: string[]; cells: { state: 'granted' | 'partial' | 'denied' | 'none'; allowed: number; total: number; fields: { field: string; category: string; allow: boolean; reason?: string }[] }[] }[];
}
export interface ClientsView {
  clients: { id: string; name: string; description: string; actors: string; purposes: { id: string; acr?: string; subjects: string[] }[] }[];
}
export interface CheckView {
  ok: boolean;
  problems: { severity: 'error' | 'warning'; code: string; file: string; message: string }[];
}
export interface FieldAnswer {
  field: string;
  category: string | undefined;
  readers: { purpose: string; description: string; legalBasis: string; subjects: string[]; acr: string; clients: string[]; internal: boolean }[];
  deniedBy: string[];
}
