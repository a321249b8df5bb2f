/**
 * One Apollo Client per page and session. The page's client id is in its
 * token; the purpose (and a case reference, when the purpose reaches anyone)
 * goes in headers on every request, as the gateway requires.
 */
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';

export interface ClientOptions {
  token: string;
  purpose: string;
  caseRef?: string;
}

export function makeClient({ token, purpose, caseRef }: ClientOptions): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({
      uri: '/graphql',
      headers: { authorization: `Bearer ${token}`, 'x-purpose': purpose, ...(caseRef ? { 'x-case-ref': caseRef } : {}) },
    }),
    cache: new InMemoryCache(),
    // Partial data with per-field errors: a field the purpose refuses must not hide the rest of the page.
    defaultOptions: {
      watchQuery: { errorPolicy: 'all', fetchPolicy: 'cache-and-network' },
      query: { errorPolicy: 'all', fetchPolicy: 'network-only' },
      mutate: { errorPolicy: 'all' },
    },
  });
}

// Apollo Client 4 types results by the default error policy: declare it, so `data` may come with `error`.
// Module augmentation is written with namespaces: Apollo Client declares its options that way.
/* eslint-disable @typescript-eslint/no-namespace */
declare module '@apollo/client' {
  namespace ApolloClient {
    namespace DeclareDefaultOptions {
      interface WatchQuery {
        errorPolicy: 'all';
      }
      interface Query {
        errorPolicy: 'all';
      }
      interface Mutate {
        errorPolicy: 'all';
      }
    }
  }
}
/* eslint-enable @typescript-eslint/no-namespace */

/** Our operations use no @defer: a result's data is complete (perhaps with per-field nulls) or absent, never streamed in parts. */
export const dataOf = <T>(result: { data?: unknown }): T | undefined => result.data as T | undefined;
