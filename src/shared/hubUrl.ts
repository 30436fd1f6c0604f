/** The Hugging Face Hub; any other Hub URL comes from the user or a link and is asked about first. */
export const DEFAULT_HUB_URL = 'https://huggingface.co';

/**
 * Why a Hub URL cannot be used, or undefined when it can: only http(s) — a link must not point the app
 * at `javascript:`, `file:`, `data:` or `ftp:` URLs.
 */
export function hubUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url.slice(0, 80)}" is not a Hub URL: expected http(s)://host[/path].`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `The Hub URL must start with http:// or https://; "${parsed.protocol}" URLs are refused (${url.slice(0, 80)}).`;
  }
  return undefined;
}
