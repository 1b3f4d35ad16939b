// PUT /items/{id}: sets the fields given in the JSON body on an existing item (a conditional
// update: 404 when the item does not exist, 400 on bad input) and answers the updated item.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BadRequest, jsonBody, respond, validateFields } from './http.mjs';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const { id } = event.pathParameters;
  let fields;
  try {
    fields = jsonBody(event);
    if ('id' in fields && fields.id !== id) throw new BadRequest('id cannot be changed');
    delete fields.id;
    if (Object.keys(fields).length === 0) throw new BadRequest('nothing to update');
    validateFields(fields);
  } catch (error) {
    if (error instanceof BadRequest) return respond(400, { message: error.message });
    throw error;
  }
  const names = {};
  const values = {};
  const sets = Object.entries(fields).map(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:v${i}`] = value;
    return `#f${i} = :v${i}`;
  });
  try {
    const output = await documents.send(new UpdateCommand({
      TableName: process.env.TABLE_NAME,
      Key: { id },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(id)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }));
    return respond(200, output.Attributes);
  } catch (error) {
    if (error.name === 'ConditionalCheckFailedException') {
      return respond(404, { message: `item ${id} not found` });
    }
    throw error;
  }
};
