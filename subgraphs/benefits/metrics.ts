/**
 * Counters of proactive offers per programme and outcome, for the metrics
 * endpoint another change adds (Prometheus). Per process, since start.
 */
export type OfferOutcome = 'proposed' | 'granted_automatically' | 'updated' | 'expired' | 'accepted' | 'declined' | 'objected' | 'contested';

const counts = new Map<string, number>();

export function countOffers(programme: string, outcome: OfferOutcome, n = 1): void {
  const key = `${programme}\u0000${outcome}`;
  counts.set(key, (counts.get(key) ?? 0) + n);
}

export function offerCounters(): { programme: string; outcome: OfferOutcome; count: number }[] {
  return [...counts].map(([key, count]) => {
    const [programme, outcome] = key.split('\u0000') as [string, OfferOutcome];
    return { programme, outcome, count };
  });
}
