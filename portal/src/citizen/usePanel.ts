/** One panel's own query: its person, and what went wrong, with the agencies that could not be reached named. */
import { useQuery } from '@apollo/client/react';
import type { DocumentNode } from '@apollo/client';
import { describeErrors, unavailableAgencies, type Problem } from '../shared/errors.ts';
import { personOf, queryFor, type Subject } from './queries.ts';

export function usePanel<T>(docs: { me: DocumentNode; of: DocumentNode }, subject: Subject) {
  const { query, variables } = queryFor(docs, subject);
  const result = useQuery(query, { variables, notifyOnNetworkStatusChange: true });
  const problems: Problem[] = describeErrors(result.error);
  const unavailable = unavailableAgencies(problems);
  return {
    person: personOf<T>(result.data),
    loading: result.loading,
    problems: problems.filter((p) => !p.agency),
    unavailable,
    refetch: result.refetch,
  };
}
