// Types of server.mjs, for the TypeScript tests that start the app.
import type { Server } from 'node:http'
import type { Express } from 'express'
import type { DatabaseInfo, DatabaseOptions } from './lib/db.mjs'

export declare const DEMO_USER: { name: string; password: string }
export declare function createApp(options?: { quiet?: boolean }): Express
export declare function start(options?: {
  port?: number
  host?: string
  quiet?: boolean
  database?: DatabaseOptions
}): Promise<{ url: string; server: Server; database: DatabaseInfo; stop: () => Promise<void> }>
/** Runs the app as `npm start` does (start-up messages, clean stop on SIGINT/SIGTERM); exits 1 when it cannot start. */
export declare function main(): Promise<void>
