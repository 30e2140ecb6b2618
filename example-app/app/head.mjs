// The document head of every page (Enhance's app/head.mjs): gets { req, status, error, store }.
import { escapeHtml } from '../lib/html.mjs'

function titleOf(path = '/', status, store) {
  if (status >= 400) return `${status}: Task board`
  if (path === '/login') return 'Log in: Task board'
  if (path === '/about') return 'About: Task board'
  if (path === '/tasks') return 'Your tasks: Task board'
  if (path.startsWith('/tasks/') && store?.task?.title) return `${store.task.title}: Task board`
  if (path.startsWith('/holidays')) return store?.country ? `Holidays in ${store.country}: Task board` : 'Holidays: Task board'
  return 'Task board'
}

export default function Head({ req, status, store } = {}) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(titleOf(req?.path, status, store))}</title>
  <link rel="icon" href="/_public/favicon.svg">
  <link rel="stylesheet" href="/_public/styles.css">
</head>`
}
