/** The Chromium the browser tests drive, and the flags it runs with on this workplace's closed network. */
import { existsSync } from 'node:fs'

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
]

/** The first Chromium found: CHROMIUM_PATH, or a system one; undefined when there is none. */
export const chromiumPath = CANDIDATES.find((path) => path !== undefined && existsSync(path))

/** Headless, and no background connections (which this machine's network refuses). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
