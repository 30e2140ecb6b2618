// @enhance/enhance-style-transform ships no types: the part of its API this package uses.
declare module '@enhance/enhance-style-transform' {
  /** Scopes an element's `<style>` to its tag (`:host` becomes the tag, other selectors go below it). */
  export default function styleTransform(args: {
    attrs?: { name: string; value: string }[]
    raw?: string
    tagName?: string
    context?: string
  }): string
}
