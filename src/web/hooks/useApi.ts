/**
 * Loading data from the API in a component: `const { data, problem, loading, reload } =
 * useApi((signal) => api.stats({}, signal), [])`. The previous data stays while the next load runs
 * (pages and filters change without flashing an empty table); a newer load aborts an older one.
 */
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { ApiProblem } from '../lib/problem';

export interface ApiState<T> {
  data: T | undefined;
  problem: ApiProblem | undefined;
  /** A load is running (the first one, or a reload with the previous data still shown). */
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loadRef
      .current(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setProblem(undefined);
        setLoading(false);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setProblem(error instanceof ApiProblem ? error : new ApiProblem({ status: 0, code: 'unexpected-response', detail: String(error) }));
        setLoading(false);
      });
    return () => controller.abort();
    // The caller's deps decide when to load (the loader itself is read through a ref).
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, problem, loading, reload };
}
