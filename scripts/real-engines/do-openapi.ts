/**
 * DigitalOcean's published OpenAPI 3.0 description, as a request checker: which method and path exist, and whether a
 * request's path parameters, query parameters and JSON body are what the description allows (required fields, enums,
 * types, formats, patterns, and unknown properties where a schema closes them with `additionalProperties: false`).
 *
 * The description is many YAML files joined by relative `$ref`s (digitalocean/openapi, specification/: the commit is
 * in ../shared/real-engines/digitalocean-openapi/SOURCES.tsv). Each schema reached from an operation is converted once
 * into a JSON Schema definition that Ajv compiles:
 * - `$ref: 'file.yml#/pointer'` (relative to the file holding it) becomes a reference to the definition of that target,
 *   so cycles stay references;
 * - `nullable: true` (OpenAPI 3.0, spec.openapis.org/oas/v3.0.3#fixed-fields-19) admits null;
 * - a `readOnly` property is not required in a request ("SHOULD NOT be sent as part of the request", same section);
 * - annotations (`example`, `discriminator`, `x-…`) are dropped.
 * Formats: Ajv's (ajv-formats) where JSON Schema defines them, the OpenAPI numeric ones by range, and the few
 * DigitalOcean-only names (`cidr`, `rfc3164`, …) checked as written below or accepted, each listed.
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as path from 'path';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

/** Reads a file of the description by its path relative to the specification directory. */
export type ReadSpecFile = (file: string) => string;

export interface Operation {
  readonly method: string;
  /** The path template, e.g. /v2/databases/{database_cluster_uuid}. */
  readonly template: string;
  readonly operationId: string;
  /** Where the operation object lives (file, for resolving its refs). */
  readonly file: string;
  readonly raw: Json;
}

export interface CheckedRequest {
  /** Undefined when no operation matches the method and path. */
  readonly operation?: Operation;
  readonly params: Record<string, string>;
  /** What DigitalOcean would refuse, one line each. */
  readonly problems: string[];
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head'];

/** OpenAPI formats that are not JSON Schema's: checked by their definition, or (where none is published) accepted. */
const INT_RANGES: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint32: [0, 2 ** 32 - 1],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};
const CIDR =
  /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$|^[0-9a-fA-F:]+\/(?:12[0-8]|1[01]\d|\d?\d)$/;
/** Names used as `format` with no published definition (free text, syslog flavour names): accepted as any value. */
const UNCHECKED_FORMATS = ['string', 'rfc3164', 'rfc5424', 'binary', 'float', 'double', 'url'];

export class DoOpenApi {
  private readonly files = new Map<string, Json>();
  private readonly defs: Record<string, unknown> = {};
  private readonly defKeys = new Map<string, string>();
  private readonly ajv: Ajv;
  private readonly paramsAjv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  readonly operations: Operation[] = [];

  constructor(
    private readonly read: ReadSpecFile,
    readonly root = 'DigitalOcean-public.v2.yaml',
  ) {
    const options = { strict: false, allErrors: true, unicodeRegExp: false, validateSchema: false, verbose: true } as const;
    this.ajv = new Ajv(options);
    this.paramsAjv = new Ajv({ ...options, coerceTypes: true });
    for (const a of [this.ajv, this.paramsAjv]) {
      addFormats(a);
      for (const [name, [min, max]] of Object.entries(INT_RANGES)) {
        a.addFormat(name, { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });
      }
      a.addFormat('cidr', CIDR);
      for (const name of UNCHECKED_FORMATS) a.addFormat(name, true);
    }
    const doc = this.file(root);
    for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
      for (const method of METHODS) {
        const ref = item[method] as Json | undefined;
        if (!ref) continue;
        const [raw, file] = this.deref(ref, root);
        this.operations.push({ method: method.toUpperCase(), template, operationId: String(raw.operationId), file, raw });
      }
    }
    // A literal segment wins over a parameter (/v2/databases/options before /v2/databases/{uuid}).
    const weight = (t: string) =>
      t
        .split('/')
        .map((s) => (s.startsWith('{') ? '1' : '0'))
        .join('');
    this.operations.sort((a, b) => weight(a.template).localeCompare(weight(b.template)));
  }

  private file(file: string): Json {
    let doc = this.files.get(file);
    if (!doc) {
      doc = parse(this.read(file)) as Json;
      this.files.set(file, doc);
    }
    return doc;
  }

  /** Follows `$ref`s until a node that is not one; returns it and the file it lives in. */
  deref(node: Json, file: string): [Json, string] {
    let cur = node;
    let curFile = file;
    for (let i = 0; i < 32 && typeof cur.$ref === 'string'; i++) {
      const [target, targetFile] = this.target(cur.$ref, curFile);
      cur = target;
      curFile = targetFile;
    }
    return [cur, curFile];
  }

  private target(ref: string, from: string): [Json, string] {
    const [filePart, pointer = ''] = ref.split('#');
    const file = filePart ? path.posix.normalize(path.posix.join(path.posix.dirname(from), filePart)) : from;
    let node: unknown = this.file(file);
    for (const raw of pointer.split('/').filter(Boolean)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = (node as Json | undefined)?.[key];
    }
    if (node === undefined) throw new Error(`${from}: $ref ${ref} does not resolve`);
    return [node as Json, file];
  }

  /** The operation for a method and a concrete path, with its path parameters. */
  match(method: string, urlPath: string): { operation?: Operation; params: Record<string, string>; pathExists: boolean } {
    let pathExists = false;
    for (const op of this.operations) {
      const names: string[] = [];
      const re = new RegExp(
        `^${op.template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}/?$`,
      );
      const m = re.exec(urlPath);
      if (!m) continue;
      pathExists = true;
      if (op.method !== method) continue;
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      return { operation: op, params, pathExists };
    }
    return { params: {}, pathExists };
  }

  /** Checks one request against the description. */
  check(method: string, urlPath: string, query: URLSearchParams, body: unknown): CheckedRequest {
    const { operation, params, pathExists } = this.match(method, urlPath);
    if (!operation) {
      return {
        params,
        problems: [pathExists ? `${method} ${urlPath}: the path has no ${method} operation` : `${method} ${urlPath}: no such path`],
      };
    }
    const where = `${method} ${operation.template} (${operation.operationId})`;
    const problems: string[] = [];
    const declared = new Set<string>();
    for (const p of (operation.raw.parameters ?? []) as Json[]) {
      const [param, file] = this.deref(p, operation.file);
      const name = String(param.name);
      if (param.in !== 'path' && param.in !== 'query') continue;
      declared.add(`${param.in}:${name}`);
      const value = param.in === 'path' ? params[name] : query.getAll(name);
      const given = param.in === 'path' ? value !== undefined : (value as string[]).length > 0;
      if (!given) {
        if (param.required) problems.push(`${where}: ${param.in} parameter '${name}' is required`);
        continue;
      }
      const schema = param.schema as Json | undefined;
      if (!schema) continue;
      const holder = { v: param.in === 'path' || this.deref(schema, file)[0].type === 'array' ? value : (value as string[])[0] };
      const validate = this.validator(`param ${file} ${name} ${operation.operationId}`, schema, file, this.paramsAjv, (s) => ({
        type: 'object',
        properties: { v: s },
      }));
      if (!validate(holder)) problems.push(...describe(`${where}: ${param.in} parameter '${name}'`, validate.errors, '/v'));
    }
    for (const name of new Set(query.keys())) {
      if (!declared.has(`query:${name}`)) problems.push(`${where}: query parameter '${name}' is not in the description`);
    }
    const requestBody = operation.raw.requestBody as Json | undefined;
    if (requestBody) {
      const [rb, file] = this.deref(requestBody, operation.file);
      const schema = ((rb.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
      if (body === undefined) {
        if (rb.required) problems.push(`${where}: a JSON request body is required`);
      } else if (schema) {
        const validate = this.validator(`body ${operation.operationId}`, schema, file, this.ajv);
        if (!validate(body)) problems.push(...describe(`${where}: body`, validate.errors));
      }
    } else if (body !== undefined && method !== 'GET' && method !== 'DELETE') {
      problems.push(`${where}: the description takes no request body`);
    }
    return { operation, params, problems };
  }

  private validator(key: string, schema: Json, file: string, ajv: Ajv, wrap: (s: unknown) => unknown = (s) => s): ValidateFunction {
    const cacheKey = `${ajv === this.ajv ? 'b' : 'p'} ${key}`;
    let v = this.validators.get(cacheKey);
    if (!v) {
      const converted = this.convert(schema, file);
      v = ajv.compile({ ...(wrap(converted) as Json), $defs: this.defs });
      this.validators.set(cacheKey, v);
    }
    return v;
  }

  private defFor(ref: string, from: string): string {
    const [target, file] = this.target(ref, from);
    const [filePart, pointer = ''] = ref.split('#');
    const id = `${filePart ? path.posix.normalize(path.posix.join(path.posix.dirname(from), filePart)) : from}#${pointer}`;
    let key = this.defKeys.get(id);
    if (key) return key;
    key = id.replace(/[^A-Za-z0-9_]+/g, '_');
    this.defKeys.set(id, key);
    this.defs[key] = true; // placeholder while converting (cycles)
    this.defs[key] = this.convert(target, file);
    return key;
  }

  /** OpenAPI 3.0 schema object → JSON Schema (request view), refs → #/$defs/… */
  convert(node: unknown, file: string): unknown {
    if (Array.isArray(node)) return node.map((n) => this.convert(n, file));
    if (!node || typeof node !== 'object') return node;
    const s = node as Json;
    if (typeof s.$ref === 'string') return { $ref: `#/$defs/${this.defFor(s.$ref, file)}` };
    const out: Json = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'example' || k === 'examples' || k === 'discriminator' || k === 'xml' || k === 'externalDocs' || k.startsWith('x-'))
        continue;
      if (k === 'nullable') continue;
      if (k === 'properties') {
        out.properties = Object.fromEntries(Object.entries(v as Json).map(([p, ps]) => [p, this.convert(ps, file)]));
      } else if (k === 'enum' || k === 'required' || k === 'default' || k === 'const') {
        out[k] = v;
      } else {
        out[k] = this.convert(v, file);
      }
    }
    if (Array.isArray(s.required) && s.properties) {
      const readOnly = Object.entries(s.properties as Json)
        .filter(([, ps]) => this.isReadOnly(ps as Json, file))
        .map(([p]) => p);
      out.required = (s.required as string[]).filter((r) => !readOnly.includes(r));
    }
    if (s.nullable === true) {
      if (typeof out.type === 'string') {
        out.type = [out.type, 'null'];
        if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
      } else {
        return { anyOf: [{ type: 'null' }, out] };
      }
    }
    return out;
  }

  private isReadOnly(ps: Json, file: string): boolean {
    if (!ps || typeof ps !== 'object') return false;
    if (ps.readOnly === true) return true;
    if (typeof ps.$ref === 'string') return this.deref(ps, file)[0].readOnly === true;
    return Array.isArray(ps.allOf) && (ps.allOf as Json[]).some((p) => p && p.readOnly === true);
  }
}

/** Ajv's errors as lines: where in the value, what is wrong, what is allowed. */
export function describe(where: string, errors: ErrorObject[] | null | undefined, strip = ''): string[] {
  const lines = (errors ?? [])
    // anyOf/oneOf summaries repeat what their branches said.
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if')
    .map((e) => {
      const at = e.instancePath.slice(strip.length) || '/';
      const p = e.params as Record<string, unknown>;
      const detail =
        e.keyword === 'enum'
          ? `must be one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`
          : e.keyword === 'additionalProperties'
            ? `has unknown property '${String(p.additionalProperty)}'`
            : e.message;
      // The value given, short (request bodies of the stacks carry no secrets: the provider generates none).
      const given =
        e.keyword === 'required' || e.keyword === 'additionalProperties' ? '' : ` (given ${JSON.stringify(e.data)?.slice(0, 60)})`;
      return `${where} ${at}: ${detail}${given}`;
    });
  return [...new Set(lines)];
}
