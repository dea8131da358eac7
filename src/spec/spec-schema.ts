// A namespace import, so that the bundle leaves out what the spec does not use (zod's locales: half a megabyte).
import * as z from 'zod';
import { DEFAULT_RESOURCES, HEAP_SHARE, HTTP_METHODS, MIDDLEWARE, PRIMITIVES, TRANSPORTS } from './tables.js';

/**
 * The shape of `kit.yaml`: the one source of truth for the structural checks of `validate` and for
 * the JSON Schema that ships for editors (scripts/write-json-schema.ts). Rules that need the whole
 * spec (unknown types, collisions, routes) live in check-semantics.ts.
 */

type RawTypeExpression = string | RawTypeExpression[];
const typeExpression: z.ZodType<RawTypeExpression> = z
  .union([z.string(), z.array(z.lazy(() => typeExpression)).length(1)])
  .meta({
    description: `A field type: ${Object.keys(PRIMITIVES).join(', ')}, a type of this context, or [T] for a list of T.`,
  });

/** An empty YAML value (`request:` with nothing after it) means none, as a reader takes it. */
function emptyMeansNone<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

const fields = z
  .record(z.string(), typeExpression)
  .meta({ description: 'Fields by name; a "?" after the name makes the field optional (email?: string).' });

export const endpointSchema = z
  .strictObject({
    description: z.string().optional().meta({ description: 'What the endpoint does; becomes its doc comment.' }),
    http: z
      .string()
      .optional()
      .meta({
        description: `Method and path, e.g. "GET /orders/{orderId}" (${HTTP_METHODS.join(', ')}). Default: POST /<kebab-name>.`,
      }),
    request: emptyMeansNone(fields),
    response: emptyMeansNone(fields),
    errors: emptyMeansNone(z.array(z.string())).meta({ description: 'Domain errors the endpoint may answer with.' }),
  })
  .meta({ description: 'One operation of the service.' });

export const upstreamSchema = z
  .strictObject({
    endpoints: z.array(z.string()).optional().meta({ description: "The upstream's endpoints this context calls." }),
    via: z
      .enum(Object.keys(TRANSPORTS) as [keyof typeof TRANSPORTS])
      .optional()
      .meta({ description: 'The transport of the client: one the upstream serves. Default: the first it serves of http, grpc, nats.' }),
    translate: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: "Upstream type -> this context's type, e.g. { Payer: Customer }." }),
  })
  .meta({ description: 'How this context calls an upstream context.' });

export const resourcesSchema = z
  .strictObject({
    memory: z
      .string()
      .optional()
      .meta({ description: `Memory request and limit, in Mi or Gi (e.g. 256Mi, 1Gi). Default ${DEFAULT_RESOURCES.memory}. Node's heap gets ${HEAP_SHARE * 100}% of it.` }),
    cpu: z
      .union([z.string(), z.number()])
      .optional()
      .meta({ description: `CPU request and limit: millicores (250m) or cores (0.5, 1). Default ${DEFAULT_RESOURCES.cpu}.` }),
  })
  .meta({ description: "The context's share of a host: Kubernetes requests and limits, docker compose's mem_limit and cpus." });

export const contextSchema = z
  .strictObject({
    description: z.string().optional(),
    port: z.int().min(1).max(65535).optional().meta({ description: 'HTTP port; default 8080 + position.' }),
    transports: z
      .array(z.enum(Object.keys(TRANSPORTS) as [keyof typeof TRANSPORTS]))
      .min(1)
      .optional()
      .meta({ description: `Any of ${Object.keys(TRANSPORTS).join(', ')}. Default [http]. Without http, the HTTP port serves only /health and /metrics.` }),
    grpcPort: z.int().min(1).max(65535).optional().meta({ description: 'gRPC port; default port + 1000.' }),
    resources: resourcesSchema.optional(),
    public: z
      .boolean()
      .optional()
      .meta({ description: 'Reachable from outside the cluster: its NetworkPolicy admits the ingress controller. Default false: only the contexts that use it may call it.' }),
    middleware: z
      .array(z.enum(Object.keys(MIDDLEWARE) as [keyof typeof MIDDLEWARE]))
      .optional()
      .meta({ description: 'Endpoint middleware. Default [logging, metrics, ratelimit, tracing].' }),
    types: emptyMeansNone(z.record(z.string(), emptyMeansNone(fields))).meta({ description: "This context's own model." }),
    endpoints: emptyMeansNone(z.record(z.string(), emptyMeansNone(endpointSchema).transform((value): z.infer<typeof endpointSchema> => value ?? { request: undefined, response: undefined, errors: undefined }))),
    uses: z.record(z.string(), upstreamSchema).optional().meta({ description: 'Upstream contexts this one calls.' }),
  })
  .meta({ description: 'A bounded context: becomes one service.' });

/** The whole spec. */
export const specSchema = z
  .strictObject({
    name: z.string().meta({ description: 'The system name, kebab-case.' }),
    description: z.string().optional(),
    contexts: z.record(z.string(), contextSchema).meta({ description: 'Bounded contexts by name; one service each.' }),
  })
  .meta({ title: 'create-kit-service domain spec (kit.yaml)' });

export type RawSpec = z.infer<typeof specSchema>;
export type RawContext = z.infer<typeof contextSchema>;
export type RawEndpoint = z.infer<typeof endpointSchema>;
export type RawFields = z.infer<typeof fields>;
