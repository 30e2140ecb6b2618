import type { RequestHandler } from 'express'

export declare const legacyStats: RequestHandler
