/**
 * The one shape of every error answer over HTTP: `{"error": {"code", "message", "details"?}}`.
 * The HTTP transport serializes its 4xx and 5xx answers with it (schemas.ts), and each service's
 * OpenAPI document describes them with it: one schema, so the two cannot disagree.
 */
export const ERROR_BODY_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;
