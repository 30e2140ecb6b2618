// A stand-in for the holidays API (date.nager.at) on loopback, for the example app's tests:
// GB answers two holidays, ZZ fails with a 500, SL never answers, BD sends broken JSON,
// any other code is unknown (404).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export function holidaysStub(): Promise<Server> {
  const server = createServer((req, res) => {
    const country = (req.url ?? '').split('/').pop()
    if (!req.url?.startsWith('/NextPublicHolidays/')) {
      res.writeHead(400).end()
    } else if (country === 'GB') {
      res.setHeader('Content-Type', 'application/json')
      res.end(
        JSON.stringify([
          { date: '2026-12-25', localName: 'Christmas Day', name: 'Christmas Day', countryCode: 'GB' },
          { date: '2026-12-26', localName: 'Boxing Day', name: 'St. Stephen’s Day', countryCode: 'GB' },
        ]),
      )
    } else if (country === 'ZZ') {
      res.writeHead(500).end('upstream exploded')
    } else if (country === 'SL') {
      // Never answers: the app's timeout must end the wait. Closed when the stub closes.
    } else if (country === 'BD') {
      res.setHeader('Content-Type', 'application/json')
      res.end('{"not": "a list"')
    } else {
      res.writeHead(404).end()
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

export const portOf = (server: Server) => (server.address() as AddressInfo).port

export async function closeStub(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}
