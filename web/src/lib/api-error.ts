import type { ApiResult } from '$lib/api.ts';
import { refusalText } from './refusals.ts';

type Translate = (key: string, options?: { values?: Record<string, string | number> }) => string;

/** A failed request as people read it: offline, not allowed, or the server's words. */
export function apiErrorText(result: ApiResult<unknown>, t: Translate): string {
  if (result.ok) return '';
  if (result.status === 0) return t('errors.offline');
  const message = refusalText(result.message, t);
  if (result.status === 403) return t('errors.forbidden', { values: { message } });
  return t('errors.server', { values: { message } });
}
