/** Small pieces shared by the case page's sections. */
import { ApiProblem } from '../../lib/problem';

export { Cite, UnverifiedMark } from '../../components/Citation';

/** i18n lookups with keys built at run time. */
export type Tx = (key: string, values?: Record<string, unknown>) => string;

export const asProblem = (error: unknown) => (error instanceof ApiProblem ? error : new ApiProblem({ status: 0, code: 'unexpected-response', detail: String(error) }));
