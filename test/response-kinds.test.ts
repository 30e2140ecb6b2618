/**
 * Enhance's body keys (SPEC section 5): `html`, `text`, `xml`, `js`, `css`
 * and `body` are sent as they are, with their type and the response's status,
 * headers, cache control and session; a key outside the known set is a 500
 * that names it.
 */
import { once } from 'node:events'
import http, { type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliDecompressSync } from 'node:zlib'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/response-kinds/', import.meta.url)
const renderer = { pages: () => ['/contact'], render: () => '<form method="post">contact</form>' }
const app = express().use(enhanceRoutes({ root, renderer, session: { keys: ['response kinds'] }, onError: () => {} }))

describe('response kinds: the body keys of Enhance apps', () => {
  const cases: [string, number, RegExp, string][] = [
    ['html', 201, /^text\/html; charset=utf-8$/, '<p>Saved</p>'],
    ['text', 200, /^text\/plain; charset=utf-8$/, 'plain words'],
    [
      'xml',
      200,
      /^application\/xml; charset=utf-8$/,
      '<?xml version="1.0"?><rss><channel><title>Notes</title></channel></rss>',
    ],
    ['js', 200, /^text\/javascript; charset=utf-8$/, 'console.log(1)'],
    ['css', 200, /^text\/css; charset=utf-8$/, 'body { color: red }'],
    ['body', 200, /^text\/csv/, 'a,b\n1,2\n'],
  ]
  for (const [kind, status, type, body] of cases) {
    it(`${kind}: sent as it is with its type, to browsers and scripts alike`, async () => {
      for (const accept of ['text/html', 'application/json']) {
        const answer = await request(app)
          .get(`/kinds?kind=${kind}`)
          .set('Accept', accept)
          .buffer(true)
          .parse((res, done) => {
            let text = ''
            res.on('data', (chunk: Buffer) => {
              text += chunk.toString()
            })
            res.on('end', () => done(null, text))
          })
        expect(answer.status, accept).to.equal(status)
        expect(answer.headers['content-type'], accept).to.match(type)
        expect(answer.body, accept).to.equal(body)
      }
    })
  }

  it('html keeps the response’s cache control and session; text its headers', async () => {
    const html = await request(app).get('/kinds?kind=html')
    expect(html.headers['cache-control']).to.equal('no-store')
    expect(String(html.headers['set-cookie'])).to.match(/^session=/)
    const text = await request(app).get('/kinds?kind=text')
    expect(text.headers['x-kind']).to.equal('text')
  })

  it('an isBase64Encoded body is sent as its bytes, with the handler’s content-encoding (a brotli feed)', async () => {
    // node:http, which (unlike supertest and fetch) hands over the bytes as they came.
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const { port } = server.address() as AddressInfo
      const answer = await new Promise<IncomingMessage>((resolve, reject) =>
        http.get({ host: '127.0.0.1', port, path: '/kinds?kind=feed' }, resolve).on('error', reject),
      )
      const chunks: Buffer[] = []
      for await (const chunk of answer) chunks.push(chunk as Buffer)
      expect(answer.headers['content-encoding']).to.equal('br')
      expect(answer.headers['content-type']).to.equal('application/rss+xml')
      expect(brotliDecompressSync(Buffer.concat(chunks)).toString()).to.include('<title>Notes</title>')
    } finally {
      server.close()
    }
  })

  it('a typo such as statuscode is a 500 naming the key and the closest known one', async () => {
    const answer = await request(app).get('/kinds?kind=typo').set('Accept', 'application/json')
    expect(answer.status).to.equal(500)
    expect(answer.body.error.message).to.include('"statuscode"').and.include('did you mean "statusCode"')
  })

  it('cors: true is Access-Control-Allow-Origin: *, as in Architect', async () => {
    const answer = await request(app).get('/kinds?kind=cors').set('Accept', 'application/json')
    expect(answer.headers['access-control-allow-origin']).to.equal('*')
  })

  it('a route whose page answers GET (its API file has only post) lists GET and HEAD in Allow', async () => {
    const options = await request(app).options('/contact')
    expect(options.headers.allow).to.equal('GET, HEAD, POST, OPTIONS')
    const page = await request(app).get('/contact').set('Accept', 'text/html')
    expect(page.text).to.equal('<form method="post">contact</form>')
  })
})
