import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';

/** A free loopback port, so the issuer (frozen in config) can name the port the app then listens on. */
export { freePort } from './processes.js';

/** Debian's chromium, headless, nothing phoning home (browser.ts). */
export function launchChromium(): Promise<Browser> {
  return launchBrowser();
}
