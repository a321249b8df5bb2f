/** Whose data the portal shows: the signed-in citizen, or `?actingFor=<id>` for someone they represent. Kept in the URL so it survives a reload and can be linked. */
import { useCallback, useEffect, useState } from 'react';

const PARAM = 'actingFor';

const read = () => new URLSearchParams(location.search).get(PARAM) || undefined;

export function useActingFor(): [string | undefined, (id: string | undefined) => void] {
  const [actingFor, setState] = useState(read);
  useEffect(() => {
    const onPop = () => setState(read());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const set = useCallback((id: string | undefined) => {
    const url = new URL(location.href);
    if (id) url.searchParams.set(PARAM, id);
    else url.searchParams.delete(PARAM);
    history.pushState(null, '', url);
    setState(id);
  }, []);
  return [actingFor, set];
}
