// @enhance/ssr ships no types: the part of its API this package uses.
declare module '@enhance/ssr' {
  type Transform = (args: {
    attrs: { name: string; value: string }[]
    raw: string
    tagName: string
    context?: string
  }) => string
  interface EnhancerOptions {
    elements?: Record<string, unknown>
    initialState?: Record<string, unknown>
    scriptTransforms?: readonly Transform[]
    styleTransforms?: readonly Transform[]
    uuidFunction?: () => string
    bodyContent?: boolean
    enhancedAttr?: boolean
  }
  export default function Enhancer(
    options?: EnhancerOptions,
  ): (strings: TemplateStringsArray, ...values: unknown[]) => string
}
