/**
 * Debian's Chromium, as every tool of the project launches it: never a downloaded browser (there may be no
 * network), headless, with nothing that phones home (a closed network refuses those connections, many at a time).
 */
import { execSync } from 'node:child_process';

/** The Chromium binary: $CHROMIUM_PATH, else the one on the PATH. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/bash' }).toString().trim();
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
