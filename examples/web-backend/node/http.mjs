// What the Node.js functions of the items API share: JSON responses and body parsing for an
// API Gateway HTTP API (payload format 2.0), and the item validation the Python functions also do.

export class BadRequest extends Error {}

export function respond(statusCode, body) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export function jsonBody(event) {
  let text = event.body ?? '';
  if (event.isBase64Encoded) text = Buffer.from(text, 'base64').toString('utf8');
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest('request body must be valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequest('request body must be a JSON object');
  }
  return value;
}

/** Checks the fields an update may set: name (1 to 100 characters), price (>= 0). */
export function validateFields(fields) {
  if ('name' in fields) {
    const { name } = fields;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new BadRequest('name must be a non-empty string');
    }
    if (name.length > 100) throw new BadRequest('name must be at most 100 characters');
  }
  if ('price' in fields) {
    const { price } = fields;
    if (typeof price !== 'number' || !Number.isFinite(price)) {
      throw new BadRequest('price must be a number');
    }
    if (price < 0) throw new BadRequest('price must be greater than or equal to 0');
  }
}
