// unkai's Node.js runtime bootstrap: runs a Lambda handler against the Lambda Runtime API.
//
// Started by unkai as `node bootstrap.mjs` with the standard Lambda environment (_HANDLER,
// LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_*, ...). It behaves like the
// official Node.js runtime (aws-lambda-nodejs-runtime-interface-client): same handler
// resolution, same init and invocation error bodies, the same context object and callback
// semantics, console output in Lambda's text format, and response streaming through
// `awslambda.streamifyResponse`.

import fs from 'node:fs';
import http from 'node:http';
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const require = createRequire(import.meta.url);
const API = '/2018-06-01/runtime';
const ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY = 'Lambda-Runtime-Function-Error-Body';
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');

// --- Runtime errors: their `name` is the errorType Lambda reports ---------------------------
const RuntimeErrors = {};
for (const name of ['ImportModuleError', 'HandlerNotFound', 'MalformedHandlerName',
  'UserCodeSyntaxError', 'MalformedStreamingHandler', 'InvalidStreamingOperation']) {
  RuntimeErrors[name] = class extends Error {};
  RuntimeErrors[name].prototype.name = `Runtime.${name}`;
}
class NodeJsExit extends Error {
  constructor() {
    super('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes');
  }
}
NodeJsExit.prototype.name = 'Runtime.NodeJsExit';
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

// The body posted to /error: {errorType, errorMessage, trace}.
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || (error && typeof error.name === 'string' &&
        typeof error.message === 'string' && typeof error.stack === 'string' &&
        error.name && error.message && error.stack)) {
      return {
        errorType: error.name.replaceAll('\x7F', '%7F'),
        errorMessage: error.message.replaceAll('\x7F', '%7F'),
        trace: error.stack.replaceAll('\x7F', '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

// --- Console: `time\trequest id\tLEVEL\tmessage`, newlines folded into \r (one record) -------
function patchConsole() {
  const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const wanted = process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase();
  const min = Math.max(levels.indexOf(wanted), 0);
  const logger = (level) => (message, ...params) => {
    const line = `${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${level}\t${util.format(message, ...params)}`;
    process.stdout.write(line.replace(/\n/g, '\r') + '\n'); // synchronous for files and pipes
  };
  for (const [i, level] of levels.entries()) {
    const log = i >= min || level === 'FATAL' ? logger(level) : () => {};
    console[level === 'WARN' ? 'warn' : level.toLowerCase()] = log;
  }
  console.log = console.info;
}

// `Invoke Error \t{"errorType":...,"errorMessage":...,"stack":[...]}` as the official runtime.
function logError(label, err) {
  const error = err instanceof Error ? err : new Error(err);
  const replacer = (_key, value) => {
    if (!(value instanceof Error)) return value;
    const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
    if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
    return out;
  };
  let text;
  try {
    text = JSON.stringify(error, replacer);
  } catch {
    text = JSON.stringify(toRapidResponse(error));
  }
  console.error(label, '\t' + text);
}

// --- Runtime API client: node:http over one keep-alive socket --------------------------------
const [apiHost, apiPort] = (() => {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon).replace(/^\[|\]$/g, ''), Number(address.slice(colon + 1))];
})();
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: apiHost, port: apiPort, method, path: urlPath, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(urlPath, body, headers = {}) {
  const data = Buffer.from(body);
  return request('POST', urlPath, data, { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers })
    .catch((err) => { process.stderr.write(`unkai bootstrap: POST ${urlPath} failed: ${err}\n`); process.exit(1); });
}

function stringify(value) {
  return JSON.stringify(value === undefined ? null : value);
}

function postError(urlPath, error) {
  const body = toRapidResponse(error);
  return post(urlPath, JSON.stringify(body), { [ERROR_TYPE]: body.errorType });
}

// --- Handler loading, as the official runtime's UserFunction.load ----------------------------
function packageTypeIsModule(folder) {
  // The nearest package.json decides; a node_modules folder or / ends the search.
  for (;;) {
    if (folder.endsWith('/node_modules')) return false;
    const pj = path.join(folder, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(pj));
        if (pkg) return pkg.type === 'module';
      } catch (e) {
        console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
        return false;
      }
    }
    if (folder === '/') return false;
    folder = path.resolve(folder, '..');
  }
}

// `require` honours NODE_PATH, `import` does not. As on Lambda, where ES modules can import the
// SDK the runtime provides, a resolve hook retries bare specifiers from the NODE_PATH folders
// (those named node_modules: resolution looks for packages in a node_modules folder). Node 20
// runs such hooks on a worker thread that costs ~50 ms to start, so they are only registered
// once an import has failed. Returns whether they were registered by this call.
let nodePathHooked = false;
function hookNodePath() {
  if (nodePathHooked) return false;
  nodePathHooked = true;
  const parents = (process.env.NODE_PATH || '').split(path.delimiter)
    .filter((dir) => path.basename(dir) === 'node_modules')
    .map((dir) => pathToFileURL(path.join(path.resolve(dir), 'unkai-node-path.mjs')).href);
  if (parents.length === 0) return false;
  const hooks = `const parents = ${JSON.stringify(parents)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || /^([./]|[a-z][a-z0-9+.-]*:)/i.test(specifier)) throw err;
    for (const parentURL of parents) {
      try { return await next(specifier, { ...context, parentURL }); } catch {}
    }
    throw err;
  }
}`;
  register('data:text/javascript,' + encodeURIComponent(hooks));
  return true;
}

async function loadModule(appRoot, moduleRoot, module) {
  const base = path.resolve(appRoot, moduleRoot, module);
  const tryRequire = (ext) => (fs.existsSync(base + ext) ? require(base + ext) : undefined);
  const tryImport = async (ext) => {
    if (!fs.existsSync(base + ext)) return undefined;
    const url = pathToFileURL(base + ext).href;
    try {
      return await import(url);
    } catch (err) {
      // Nothing was evaluated when resolution failed; a new URL gets a fresh module graph.
      if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !hookNodePath()) throw err;
      return import(url + '?node-path');
    }
  };
  const extensionless = tryRequire('');
  if (extensionless) return extensionless;
  const esm = fs.existsSync(base + '.js') && packageTypeIsModule(path.dirname(base + '.js'));
  if (!esm) {
    const loaded = tryRequire('.js');
    if (loaded) return loaded;
  }
  const loaded = (esm && (await tryImport('.js'))) || (await tryImport('.mjs')) || tryRequire('.cjs');
  if (loaded) return loaded;
  // Last resort: node's own resolution from the task root (node_modules, NODE_PATH).
  return require(require.resolve(module, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new RuntimeErrors.MalformedHandlerName(`'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new RuntimeErrors.MalformedHandlerName('Bad handler');
  const [, module, handlerPath] = match;
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) throw new RuntimeErrors.UserCodeSyntaxError(e);
    if (e?.code === 'MODULE_NOT_FOUND') throw new RuntimeErrors.ImportModuleError(e);
    throw e;
  }
  const fn = handlerPath.split('.').reduce((obj, key) => obj && obj[key], app);
  if (!fn) throw new RuntimeErrors.HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new RuntimeErrors.HandlerNotFound(`${fullHandler} is not a function`);
  return fn;
}

// --- Response streaming ------------------------------------------------------------------------
class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType('application/vnd.awslambda.http-integration-response');
    const metadata = JSON.stringify(prelude); // then 8 NUL bytes separate it from the body
    stream._onBeforeFirstWrite = (write) => { write(metadata); write(new Uint8Array(8)); };
    return stream;
  }
}

globalThis.awslambda = {
  streamifyResponse(handler, options) {
    handler[STREAMING] = 'response';
    // Accepted for compatibility; the socket's high-water mark is left at node's default.
    if (typeof options?.highWaterMark === 'number') handler[HIGH_WATER_MARK] = parseInt(options.highWaterMark);
    return handler;
  },
  HttpResponseStream,
};

// A chunked POST to /response; an error ends it with the error trailers.
function createResponseStream(requestId) {
  let started = false;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  const req = http.request({
    host: apiHost, port: apiPort, method: 'POST', agent,
    path: `${API}/invocation/${encodeURIComponent(requestId)}/response`,
    headers: {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Transfer-Encoding': 'chunked',
      Trailer: [ERROR_TYPE, ERROR_BODY],
      'Content-Type': 'application/octet-stream',
    },
  }, (res) => { res.resume(); res.on('end', done); });
  req.on('error', (err) => { process.stderr.write(`unkai bootstrap: streaming response failed: ${err}\n`); done(); });
  const write = req.write.bind(req);
  req.setContentType = (type) => {
    if (started) throw new RuntimeErrors.InvalidStreamingOperation('Cannot set content-type, too late.');
    req.setHeader('Content-Type', type);
  };
  req.write = (chunk, encoding, callback) => {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) chunk = JSON.stringify(chunk);
    if (!started && typeof req._onBeforeFirstWrite === 'function') req._onBeforeFirstWrite((c) => write(c));
    started = true;
    return write(chunk, encoding, callback);
  };
  const fail = (err) => {
    logError('Invoke Error', err);
    const body = toRapidResponse(err);
    if (!req.writableEnded) {
      req.addTrailers({ [ERROR_TYPE]: body.errorType, [ERROR_BODY]: Buffer.from(JSON.stringify(body)).toString('base64') });
      req.end();
    }
    return finished;
  };
  return { stream: req, finished, fail };
}

// --- The invocation loop -----------------------------------------------------------------------
let beforeExit = () => {};
process.on('beforeExit', () => beforeExit());
let onUncaught = null; // set per phase: report the error, then exit

process.on('uncaughtException', (error) => {
  logError('Uncaught Exception', error);
  onUncaught(error, 129);
});
process.on('unhandledRejection', (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  logError('Unhandled Promise Rejection', error);
  onUncaught(error, 128);
});

function contextFor(headers, extra) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const parse = (value, name) => {
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value);
    } catch (err) {
      throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
    }
  };
  const trace = headers['lambda-runtime-trace-id'];
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
  const env = process.env;
  return Object.assign(extra, {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  }, {
    clientContext: parse(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parse(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  });
}

async function invoke(handler, isAsync, streaming) {
  const next = await request('GET', `${API}/invocation/next`).catch((err) => {
    process.stderr.write(`unkai bootstrap: /invocation/next failed: ${err}\n`);
    process.exit(1);
  });
  if (next.status !== 200) {
    process.stderr.write(`unkai bootstrap: /invocation/next -> ${next.status} ${next.body}\n`);
    process.exit(1);
  }
  const headers = next.headers; // node lower-cases header names
  const id = headers['lambda-runtime-aws-request-id'];
  globalThis[REQUEST_ID] = id;
  const base = `${API}/invocation/${encodeURIComponent(id)}`;
  const scheduleNext = () => setImmediate(() => invoke(handler, isAsync, streaming));
  onUncaught = (error, code) => postError(`${base}/error`, error).then(() => process.exit(code));
  let waitForEmptyEventLoop = true;
  const flag = {
    get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
    set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
  };

  if (streaming) {
    const { stream, finished, fail } = createResponseStream(id);
    const finish = () => {
      beforeExit = () => {};
      if (!waitForEmptyEventLoop) scheduleNext();
      else beforeExit = () => setImmediate(scheduleNext);
    };
    beforeExit = scheduleNext;
    try {
      const result = handler(JSON.parse(next.body), stream, contextFor(headers, flag));
      if (typeof result?.then !== 'function') {
        await fail('Streaming does not support non-async handlers.');
        return finish();
      }
      if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
      // end() called is enough: the last write may still be flushing to the Runtime API.
      if (!stream.writableEnded) await fail('Response stream is not finished.');
      else await finished;
    } catch (err) {
      await fail(err);
    }
    return finish();
  }

  // Callback-style and promise-returning handlers: the first completion wins.
  let finished = false;
  const complete = (result) => {
    let body;
    try {
      body = stringify(result);
    } catch {
      return fail(new Error('Unable to stringify response body'));
    }
    post(`${base}/response`, body).then(scheduleNext);
  };
  const fail = (err) => {
    logError('Invoke Error', err);
    postError(`${base}/error`, err).then(scheduleNext);
  };
  const done = (err, result) => {
    if (finished) return;
    finished = true;
    beforeExit = () => {};
    if (err !== undefined && err !== null) fail(err);
    else complete(result);
  };
  const callback = (err, result) => {
    if (finished) return;
    if (err !== undefined && err !== null) return done(err);
    if (!waitForEmptyEventLoop) return done(null, result);
    // Respond once the event loop has drained (callbackWaitsForEmptyEventLoop).
    finished = true;
    beforeExit = () => { beforeExit = () => {}; setImmediate(() => complete(result)); };
  };
  const succeed = (result) => done(null, result);
  const failed = (err) => done(err ?? 'handled', null);
  // The loop drained and nobody answered: async handlers never settled, others return null.
  beforeExit = () => {
    finished = true;
    beforeExit = () => {};
    if (isAsync) fail(new NodeJsExit());
    else complete(null);
  };
  try {
    const context = contextFor(headers, Object.assign(flag, { succeed, fail: failed, done }));
    const result = handler(JSON.parse(next.body), context, callback);
    if (typeof result?.then === 'function') result.then(succeed, failed);
  } catch (err) {
    callback(err);
  }
}

async function main() {
  patchConsole();
  onUncaught = (error, code) => postError(`${API}/init/error`, error).then(() => process.exit(code));
  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER || '');
  } catch (err) {
    // As the official runtime, where this surfaces as an uncaught exception.
    logError('Uncaught Exception', err);
    await onUncaught(err, 129);
    return;
  }
  const streaming = handler[STREAMING];
  if (streaming !== undefined && streaming !== null && streaming !== false && streaming !== 'response') {
    const err = new RuntimeErrors.MalformedStreamingHandler('Only response streaming is supported.');
    logError('Uncaught Exception', err);
    await onUncaught(err, 129);
    return;
  }
  invoke(handler, handler.constructor?.name === 'AsyncFunction', streaming === 'response');
}

main();
