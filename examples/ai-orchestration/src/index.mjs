// A streamed chat answer: POST {"prompt": "..."} (or {"messages": [...]}) to the function URL, and
// the model's tokens come back as plain text while the model produces them. The model is any
// OpenAI-compatible chat completions endpoint (MODEL_ENDPOINT, e.g. https://api.openai.com/v1),
// called with `stream: true`; its server-sent events are relayed token by token.

const ENDPOINT = process.env.MODEL_ENDPOINT.replace(/\/+$/, '');
const MODEL = process.env.MODEL_NAME;
const API_KEY = process.env.MODEL_API_KEY;
const SYSTEM = 'You are a helpful assistant. Answer briefly.';

function messagesOf(event) {
  let text = event.body ?? '';
  if (event.isBase64Encoded) text = Buffer.from(text, 'base64').toString('utf8');
  let request;
  try {
    request = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof request?.prompt === 'string' && request.prompt.trim() !== '') {
    return [{ role: 'system', content: SYSTEM }, { role: 'user', content: request.prompt }];
  }
  if (Array.isArray(request?.messages) && request.messages.length > 0) return request.messages;
  return null;
}

function answer(responseStream, statusCode, text) {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
  stream.write(text);
  stream.end();
}

// The `data:` payloads of a server-sent event stream, as they arrive.
async function* events(body) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      if (line.startsWith('data:')) yield line.slice(5).trim();
    }
  }
}

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const messages = messagesOf(event);
  if (!messages) {
    answer(responseStream, 400, 'expected a JSON body {"prompt": "..."} or {"messages": [...]}\n');
    return;
  }
  const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (API_KEY) headers.authorization = `Bearer ${API_KEY}`;
  let model;
  try {
    model = await fetch(`${ENDPOINT}/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: MODEL, messages, stream: true }),
    });
  } catch (error) {
    console.error(JSON.stringify({ model_error: String(error.cause ?? error) }));
    answer(responseStream, 502, 'the model endpoint could not be reached\n');
    return;
  }
  if (!model.ok) {
    console.error(JSON.stringify({ model_status: model.status, body: await model.text() }));
    answer(responseStream, 502, `the model endpoint answered ${model.status}\n`);
    return;
  }
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' },
  });
  let tokens = 0;
  for await (const data of events(model.body)) {
    if (data === '[DONE]') break;
    const token = JSON.parse(data).choices?.[0]?.delta?.content;
    if (token) {
      stream.write(token);
      tokens += 1;
    }
  }
  console.log(JSON.stringify({ tokens }));
  stream.end();
});
