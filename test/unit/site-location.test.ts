import { expect } from 'chai'
import { siteLocation } from '../../lib/index.js'

describe('siteLocation(): a user-given redirect target kept on this site', () => {
  it('keeps paths on this site, with their query and fragment', () => {
    for (const target of ['/', '/tasks', '/tasks/7?tab=notes#top', '/a/b/../c', '/caf%C3%A9', '/search?q=//x']) {
      expect(siteLocation(target), target).to.equal(target)
    }
  })

  it('falls back for anything that leaves the site or is no path', () => {
    const away = [
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      '/\t/evil.example',
      '/\n/evil.example',
      '/x\r\nSet-Cookie: a=b',
      'tasks',
      '',
      ' /tasks',
    ]
    for (const target of away) expect(siteLocation(target), JSON.stringify(target)).to.equal('/')
    for (const value of [undefined, null, 42, ['/tasks'], { href: '/tasks' }]) expect(siteLocation(value)).to.equal('/')
  })

  it('falls back to the target the app names', () => {
    expect(siteLocation('//evil.example', '/tasks')).to.equal('/tasks')
  })
})
