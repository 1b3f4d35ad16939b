// GET /items[?limit=N][&next=TOKEN]: one page of items (at most 100) from a Scan, and the token of
// the next page (`next`, absent on the last page).

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BadRequest, respond } from './http.mjs';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const MAX_PAGE = 100;

function pageOptions(query) {
  let limit = MAX_PAGE;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new BadRequest(`limit must be an integer from 1 to ${MAX_PAGE}`);
    }
  }
  let start;
  if (query.next !== undefined) {
    try {
      start = JSON.parse(Buffer.from(query.next, 'base64url').toString('utf8'));
    } catch {
      throw new BadRequest('next is not a valid page token');
    }
    if (start === null || typeof start !== 'object' || typeof start.id !== 'string') {
      throw new BadRequest('next is not a valid page token');
    }
  }
  return { limit, start };
}

export const handler = async (event) => {
  let page;
  try {
    page = pageOptions(event.queryStringParameters ?? {});
  } catch (error) {
    if (error instanceof BadRequest) return respond(400, { message: error.message });
    throw error;
  }
  // A Scan page may come back short (or empty) before the end of the table: keep reading until
  // the page is full or the table is done, so clients see at most `limit` items and a token.
  const items = [];
  let start = page.start;
  do {
    const output = await documents.send(new ScanCommand({
      TableName: process.env.TABLE_NAME,
      Limit: page.limit - items.length,
      ExclusiveStartKey: start,
    }));
    items.push(...(output.Items ?? []));
    start = output.LastEvaluatedKey;
  } while (start && items.length < page.limit);
  const body = { items };
  if (start) body.next = Buffer.from(JSON.stringify(start)).toString('base64url');
  return respond(200, body);
};
