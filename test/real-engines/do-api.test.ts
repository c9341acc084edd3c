import { DoApiStandIn } from '../../scripts/real-engines/do-api';
import { DESCRIPTION_GAPS, descriptionGapOf } from '../../scripts/real-engines/do-gaps';
import { DoOpenApi } from '../../scripts/real-engines/do-openapi';

// A small description in DigitalOcean's layout (a root file, operations and models in other files joined by
// relative $refs), with the shapes the real one uses: nullable, readOnly in `required`, allOf, enums, formats.
const FILES: Record<string, string> = {
  'root.yaml': `
openapi: "3.0.0"
paths:
  /v2/databases:
    get: { $ref: "resources/databases/list.yml" }
    post: { $ref: "resources/databases/create.yml" }
  /v2/databases/options:
    get: { operationId: databases_list_options, responses: { '200': { description: ok } } }
  /v2/databases/{database_cluster_uuid}:
    get: { $ref: "resources/databases/get.yml" }
    delete: { operationId: databases_destroy_cluster, parameters: [{ $ref: "resources/databases/parameters.yml#/database_cluster_uuid" }], responses: { '204': { description: gone } } }
  /v2/databases/{database_cluster_uuid}/firewall:
    get: { operationId: databases_list_firewall_rules, parameters: [{ $ref: "resources/databases/parameters.yml#/database_cluster_uuid" }], responses: { '200': { $ref: "resources/databases/rules.yml" } } }
    put: { $ref: "resources/databases/update_firewall.yml" }
`,
  'resources/databases/parameters.yml': `
database_cluster_uuid: { in: path, name: database_cluster_uuid, required: true, schema: { type: string, format: uuid } }
tag_name: { in: query, name: tag_name, required: false, schema: { type: string } }
`,
  'resources/databases/list.yml': `
operationId: databases_list_clusters
parameters: [{ $ref: "parameters.yml#/tag_name" }]
responses:
  '200':
    description: ok
    content: { application/json: { schema: { type: object, properties: { databases: { type: array, items: { $ref: "models/cluster.yml" } } } } } }
`,
  'resources/databases/get.yml': `
operationId: databases_get_cluster
parameters: [{ $ref: "parameters.yml#/database_cluster_uuid" }]
responses: { '200': { $ref: "responses/cluster.yml" } }
`,
  'resources/databases/create.yml': `
operationId: databases_create_cluster
requestBody:
  required: true
  content: { application/json: { schema: { allOf: [{ $ref: "models/cluster.yml" }] } } }
responses: { '201': { $ref: "responses/cluster.yml" } }
`,
  'resources/databases/responses/cluster.yml': `
description: A JSON object with a key of database.
content: { application/json: { schema: { type: object, properties: { database: { $ref: "../models/cluster.yml" } } } } }
`,
  'resources/databases/models/cluster.yml': `
type: object
properties:
  id: { type: string, format: uuid, readOnly: true, example: 9cc10173-e9ea-4176-9dbc-a4cee4c4ff30 }
  name: { type: string }
  engine: { type: string, enum: [pg, mysql, valkey] }
  num_nodes: { type: integer, format: int32 }
  status: { type: string, readOnly: true, example: creating }
  connection:
    allOf:
      - $ref: "./connection.yml"
      - readOnly: true
  project_id: { type: string, format: uuid, nullable: true }
  rules: { type: array, items: { $ref: "./rule.yml" } }
required: [id, name, engine, num_nodes, status]
`,
  'resources/databases/models/connection.yml': `
type: object
properties: { host: { type: string, example: backend-do-user-0.db.ondigitalocean.com }, port: { type: integer, example: 25060 } }
`,
  'resources/databases/models/rule.yml': `
type: object
additionalProperties: false
properties:
  type: { type: string, enum: [droplet, k8s, ip_addr, tag, app] }
  value: { type: string }
  cluster_uuid: { type: string, readOnly: true }
required: [type, value, cluster_uuid]
`,
  'resources/databases/rules.yml': `
description: rules
content: { application/json: { schema: { type: object, properties: { rules: { type: array, items: { $ref: "models/rule.yml" } } } } } }
`,
  'resources/databases/update_firewall.yml': `
operationId: databases_update_firewall_rules
parameters: [{ $ref: "parameters.yml#/database_cluster_uuid" }]
requestBody:
  required: true
  content: { application/json: { schema: { type: object, properties: { rules: { type: array, items: { $ref: "models/rule.yml" } } } } } }
responses: { '204': { description: done } }
`,
};

const api = new DoOpenApi((f) => {
  if (!(f in FILES)) throw new Error(`no ${f}`);
  return FILES[f];
}, 'root.yaml');
const ID = '00000000-0000-4000-8000-000000000001';
const check = (method: string, p: string, body?: unknown, query = '') => api.check(method, p, new URLSearchParams(query), body);
const valid = { name: 'backend', engine: 'pg', num_nodes: 2 };

describe('the request checker (DigitalOcean OpenAPI description)', () => {
  test('a valid request passes; readOnly properties are not required in a request; nullable admits null', () => {
    expect(check('POST', '/v2/databases', { ...valid, project_id: null }).problems).toEqual([]);
  });

  test('a method or a path the description does not have is refused', () => {
    expect(check('PATCH', '/v2/databases').problems).toEqual(['PATCH /v2/databases: the path has no PATCH operation']);
    expect(check('GET', '/v2/droplets').problems).toEqual(['GET /v2/droplets: no such path']);
  });

  test('a literal path segment wins over a parameter', () => {
    expect(check('GET', '/v2/databases/options').operation?.operationId).toBe('databases_list_options');
  });

  test('path and query parameters are checked against their schemas; an undeclared query parameter is refused', () => {
    expect(check('GET', '/v2/databases/not-a-uuid').problems).toEqual([
      `GET /v2/databases/{database_cluster_uuid} (databases_get_cluster): path parameter 'database_cluster_uuid' /: must match format "uuid" (given "not-a-uuid")`,
    ]);
    expect(check('GET', '/v2/databases', undefined, 'tag_name=x').problems).toEqual([]);
    expect(check('GET', '/v2/databases', undefined, 'name=x').problems).toEqual([
      "GET /v2/databases (databases_list_clusters): query parameter 'name' is not in the description",
    ]);
  });

  test('a body: required fields, enums, types and formats (through allOf and $refs across files)', () => {
    expect(check('POST', '/v2/databases', { name: 'b', engine: 'postgres', num_nodes: 'two', project_id: 'x' }).problems).toEqual([
      'POST /v2/databases (databases_create_cluster): body /engine: must be one of "pg", "mysql", "valkey" (given "postgres")',
      'POST /v2/databases (databases_create_cluster): body /num_nodes: must be integer (given "two")',
      'POST /v2/databases (databases_create_cluster): body /project_id: must match format "uuid" (given "x")',
    ]);
    expect(check('POST', '/v2/databases', { name: 'b', engine: 'pg' }).problems).toEqual([
      "POST /v2/databases (databases_create_cluster): body /: must have required property 'num_nodes'",
    ]);
    expect(check('POST', '/v2/databases').problems).toEqual([
      'POST /v2/databases (databases_create_cluster): a JSON request body is required',
    ]);
  });

  test('the firewall rule type of the issue is refused, and so is a property a closed schema does not define', () => {
    expect(check('PUT', `/v2/databases/${ID}/firewall`, { rules: [{ type: 'k8s_cluster', value: 'x', uuid: 'y' }] }).problems).toEqual([
      "PUT /v2/databases/{database_cluster_uuid}/firewall (databases_update_firewall_rules): body /rules/0: has unknown property 'uuid'",
      'PUT /v2/databases/{database_cluster_uuid}/firewall (databases_update_firewall_rules): body /rules/0/type: must be one of "droplet", "k8s", "ip_addr", "tag", "app" (given "k8s_cluster")',
    ]);
  });
});

describe('the stand-in keeps state and answers as DigitalOcean does', () => {
  test('create, read, list, store a sub-resource, delete; ready at once with the readOnly examples filled in', () => {
    const s = new DoApiStandIn(api);
    const created = s.handle('POST', '/v2/databases', JSON.stringify(valid));
    expect(created.status).toBe(201);
    const db = (created.json as { database: Record<string, unknown> }).database;
    expect(db).toMatchObject({
      ...valid,
      id: ID,
      status: 'online',
      connection: { host: 'backend-do-user-0.db.ondigitalocean.com', port: 25060 },
    });
    expect(s.handle('GET', `/v2/databases/${ID}`, undefined).json).toEqual({ database: db });
    expect(s.handle('GET', '/v2/databases', undefined).json).toMatchObject({ databases: [db] });
    expect(s.handle('PUT', `/v2/databases/${ID}/firewall`, JSON.stringify({ rules: [{ type: 'k8s', value: 'c' }] })).status).toBe(204);
    expect(s.handle('GET', `/v2/databases/${ID}/firewall`, undefined).json).toEqual({ rules: [{ type: 'k8s', value: 'c' }] });
    expect(s.handle('DELETE', `/v2/databases/${ID}`, undefined).status).toBe(204);
    expect(s.handle('GET', `/v2/databases/${ID}`, undefined).status).toBe(404);
    expect(s.handle('GET', `/v2/databases/${ID}/firewall`, undefined).status).toBe(404);
    expect(s.problems).toEqual([]);
  });

  test('a refused request is answered 422 with the reasons, recorded, and creates nothing', () => {
    const s = new DoApiStandIn(api);
    const r = s.handle('POST', '/v2/databases', JSON.stringify({ ...valid, engine: 'redis7' }));
    expect(r).toEqual({ status: 422, json: { id: 'unprocessable_entity', message: expect.stringContaining('/engine: must be one of') } });
    expect(s.problems).toHaveLength(1);
    expect((s.handle('GET', '/v2/databases', undefined).json as { databases: unknown[] }).databases).toEqual([]);
  });
});

describe('where the description is stricter than DigitalOcean', () => {
  test('every gap names its operation and matches only its own refusal', () => {
    for (const g of DESCRIPTION_GAPS) expect(g.reason.length).toBeGreaterThan(40);
    expect(
      descriptionGapOf('uptime_create_check', "POST /v2/uptime/checks (uptime_create_check): body /: must have required property 'method'")
        ?.reason,
    ).toMatch(/method/);
    expect(
      descriptionGapOf('uptime_create_check', "POST /v2/uptime/checks (uptime_create_check): body /: must have required property 'name'"),
    ).toBeUndefined();
    expect(descriptionGapOf('databases_create_cluster', "body /: must have required property 'method'")).toBeUndefined();
    // Only for the bodies it names: a regional load balancer without a region is ours.
    const noRegion = "POST /v2/load_balancers (loadBalancers_create): body /: must have required property 'region'";
    expect(descriptionGapOf('loadBalancers_create', noRegion, { type: 'GLOBAL' })?.reason).toMatch(/GLOBAL/);
    expect(descriptionGapOf('loadBalancers_create', noRegion, { type: 'REGIONAL' })).toBeUndefined();
  });
});
