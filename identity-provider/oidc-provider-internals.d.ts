/** oidc-provider's own in-memory adapter factory (lib/adapters/memory_adapter.js), which its typings do not declare. */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { AdapterConstructor } from 'oidc-provider';
  export function createMemoryAdapter(clockTolerance?: number): AdapterConstructor;
}
